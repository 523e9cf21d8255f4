using System.Diagnostics;
using System.Text;

namespace KubeRescue.Bench;

/// <summary>A process run to its end: how it ended, what it wrote, how long it ran.</summary>
/// <param name="Stdout">empty when the run was asked not to keep it</param>
/// <param name="Killed">killed on purpose, by the run's <c>kill</c> token, before it exited by itself</param>
public sealed record ProcessResult(int ExitCode, string Stdout, string Stderr, TimeSpan Elapsed, bool Killed)
{
    public string Output => Stdout + Stderr;
}

/// <summary>Runs a program to its end for the benchmarks and the end-to-end tests.</summary>
public static class ProcessRunner
{
    /// <summary>
    /// Runs <paramref name="psi"/> with its standard streams redirected: <paramref name="stdin"/> written (or nothing)
    /// and closed, so that it never waits on a terminal; stdout and stderr kept exactly as written. Past
    /// <paramref name="timeout"/> it kills the process tree and throws <see cref="TimeoutException"/> with the output so
    /// far; on <paramref name="ct"/> it kills the tree and throws <see cref="OperationCanceledException"/>; on
    /// <paramref name="kill"/> it kills the tree and returns, <see cref="ProcessResult.Killed"/> set (a crash on purpose).
    /// </summary>
    /// <param name="stdoutLine">each line of stdout as it arrives (to react to it, or count what is not kept)</param>
    /// <param name="stderrLine">each line of stderr as it arrives</param>
    /// <param name="keepStdout">false for output too large to hold that only <paramref name="stdoutLine"/> needs to see</param>
    public static async Task<ProcessResult> RunAsync(ProcessStartInfo psi, TimeSpan timeout, CancellationToken ct = default, string? stdin = null,
        Action<string>? stdoutLine = null, Action<string>? stderrLine = null, bool keepStdout = true, CancellationToken kill = default)
    {
        psi.RedirectStandardOutput = psi.RedirectStandardError = psi.RedirectStandardInput = true;
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"{Describe(psi)} did not start");
        var stdout = Task.Run(() => ReadAsync(process.StandardOutput, stdoutLine, keepStdout), CancellationToken.None);
        var stderr = Task.Run(() => ReadAsync(process.StandardError, stderrLine, keep: true), CancellationToken.None);
        if (stdin is not null) await process.StandardInput.WriteAsync(stdin);
        process.StandardInput.Close();

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct, kill);
        stop.CancelAfter(timeout);
        var killed = false;
        try
        {
            await process.WaitForExitAsync(stop.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            ct.ThrowIfCancellationRequested();
            if (!kill.IsCancellationRequested)
                throw new TimeoutException($"{Describe(psi)} did not finish within {timeout}:\n{await stdout}{await stderr}");
            killed = true;
        }
        var elapsed = clock.Elapsed;
        return new ProcessResult(process.ExitCode, await stdout, await stderr, elapsed, killed);
    }

    static string Describe(ProcessStartInfo psi) => string.Join(' ', psi.ArgumentList.Prepend(psi.FileName));

    /// <summary>Reads to the end in blocks, so that what is kept is byte for byte what was written (carriage returns included).</summary>
    static async Task<string> ReadAsync(StreamReader reader, Action<string>? onLine, bool keep)
    {
        var text = new StringBuilder();
        var line = new StringBuilder();
        var buffer = new char[4096];
        int read;
        while ((read = await reader.ReadAsync(buffer)) > 0)
        {
            if (keep) text.Append(buffer, 0, read);
            if (onLine is null) continue;
            for (var i = 0; i < read; i++)
            {
                if (buffer[i] != '\n')
                {
                    line.Append(buffer[i]);
                    continue;
                }
                onLine(line.ToString().TrimEnd('\r'));
                line.Clear();
            }
        }
        if (onLine is not null && line.Length > 0) onLine(line.ToString().TrimEnd('\r'));
        return text.ToString();
    }
}
