using System.Diagnostics;
using System.Text;

namespace KubeRescue.EndToEnd.Tests;

public sealed record ProcessResult(int ExitCode, string Stdout, string Stderr)
{
    public string Output => Stdout + Stderr;
}

/// <summary>Runs programs as processes: the kube-rescue CLI beside the test assembly, and kubectl.</summary>
public static class Processes
{
    public static string CliDll => Path.Combine(AppContext.BaseDirectory, "kube-rescue.dll");

    public static ProcessStartInfo Cli(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        psi.ArgumentList.Add(CliDll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        return psi;
    }

    /// <summary>
    /// <paramref name="psi"/> run on a pseudo-terminal (util-linux <c>script</c>), as a person at a terminal runs it:
    /// what it writes to the terminal (200 columns wide) comes back as the result's stdout.
    /// </summary>
    public static ProcessStartInfo InTerminal(ProcessStartInfo psi)
    {
        static string Quote(string s) => "'" + s.Replace("'", "'\\''") + "'";
        var terminal = new ProcessStartInfo("script");
        foreach (var a in new[] { "--quiet", "--return", "--flush", "--command", "stty cols 200 rows 60 && exec " + string.Join(' ', psi.ArgumentList.Prepend(psi.FileName).Select(Quote)), "/dev/null" })
            terminal.ArgumentList.Add(a);
        foreach (var (k, v) in psi.Environment) terminal.Environment[k] = v;
        terminal.Environment["TERM"] = "xterm-256color";
        return terminal;
    }

    public static async Task<ProcessResult> RunAsync(ProcessStartInfo psi, string? stdin = null, TimeSpan? timeout = null)
    {
        psi.RedirectStandardOutput = psi.RedirectStandardError = psi.RedirectStandardInput = true;
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (stdin is not null) await p.StandardInput.WriteAsync(stdin);
        p.StandardInput.Close();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        try
        {
            await p.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{psi.FileName} {string.Join(' ', psi.ArgumentList)} did not finish: {await stdout}{await stderr}");
        }
        return new ProcessResult(p.ExitCode, await stdout, await stderr);
    }
}

/// <summary>
/// A running <c>kube-rescue lab up</c>: the real CLI process, started once per test class, stopped with SIGTERM at
/// the end.
/// </summary>
public abstract class LabProcess(params string[] arguments) : IAsyncLifetime
{
    Process? _process;
    readonly StringBuilder _output = new();
    public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("kube-rescue-e2e-").FullName;
    public string Kubeconfig => Path.Combine(Directory, "kubeconfig");

    public async Task InitializeAsync()
    {
        _process = Process.Start(Processes.Cli(["lab", "up", .. arguments, "--kubeconfig", Kubeconfig]))!;
        var ready = new TaskCompletionSource();
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (_output) _output.AppendLine(e.Data);
            if (e.Data.Contains(" ready ", StringComparison.Ordinal)) ready.TrySetResult();
        };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_output) _output.AppendLine(e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var done = await Task.WhenAny(ready.Task, _process.WaitForExitAsync(), Task.Delay(TimeSpan.FromSeconds(180)));
        if (done != ready.Task) throw new InvalidOperationException($"lab did not become ready: {Output}");
    }

    public string Output { get { lock (_output) return _output.ToString(); } }

    /// <summary>The bearer token in the lab's kubeconfig: what no output may ever show.</summary>
    public string Token => System.Text.RegularExpressions.Regex.Match(File.ReadAllText(Kubeconfig), @"token: ""?([^""\s]+)").Groups[1].Value;

    /// <summary>A copy of the lab's kubeconfig (the admin's) in its directory, with <paramref name="token"/> as the user's: another user, or a wrong token.</summary>
    public string KubeconfigWithToken(string token, string name)
    {
        var path = Path.Combine(Directory, name);
        File.WriteAllText(path, System.Text.RegularExpressions.Regex.Replace(File.ReadAllText(Kubeconfig), "token: .*", "token: " + token));
        return path;
    }

    public int ProcessId => _process?.Id ?? throw new InvalidOperationException("the lab is not running");

    /// <summary>SIGTERM, then the exit code.</summary>
    public async Task<int> StopAsync()
    {
        if (_process is null || _process.HasExited) return _process?.ExitCode ?? -1;
        Posix.Kill(_process.Id, Posix.SIGTERM);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await _process.WaitForExitAsync(cts.Token);
        return _process.ExitCode;
    }

    public async Task DisposeAsync()
    {
        try { await StopAsync(); }
        finally
        {
            _process?.Dispose();
            System.IO.Directory.Delete(Directory, recursive: true);
        }
    }
}

/// <summary><c>kube-rescue lab up --api-only</c>.</summary>
public sealed class ApiLabProcess() : LabProcess("--api-only");

static class Posix
{
    public const int SIGTERM = 15;
    public const int SIGINT = 2;

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    public static extern int Kill(int pid, int signal);
}
