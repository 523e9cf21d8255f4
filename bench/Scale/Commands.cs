using System.Diagnostics;
using System.Text.RegularExpressions;

namespace KubeRescue.Bench.Scale;

/// <summary>One run of a client program through the counting proxy.</summary>
sealed record CommandRun(TimeSpan Time, int ExitCode, int Requests, long Received, long Sent, long Connections, long OutputLines, string Errors);

static partial class Commands
{
    /// <summary>kube-rescue's <c>--verbose</c> line per API call.</summary>
    public static bool IsKubeRescueCall(string line) => line.StartsWith("api: ", StringComparison.Ordinal);

    /// <summary>kubectl's <c>-v=6</c> line per response, in the structured form (1.30 and later) or the older one.</summary>
    public static bool IsKubectlCall(string line) => KubectlResponse().IsMatch(line);

    [GeneratedRegex("""("Response" verb="[A-Z]+" url="https?://|\] [A-Z]+ https?://\S+ \d{3} )""")]
    private static partial Regex KubectlResponse();

    /// <summary>
    /// Runs the program to its end, timing it from start to exit; counts its stdout lines without keeping them, its
    /// API calls from its stderr log, and its traffic at the proxy.
    /// </summary>
    public static async Task<CommandRun> RunAsync(CountingProxy proxy, string file, IReadOnlyList<string> args, Func<string, bool> isCall, TimeSpan timeout)
    {
        proxy.Take();
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(psi)!;
        var lines = CountLinesAsync(process.StandardOutput);
        var errors = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish within {timeout}");
        }
        var time = clock.Elapsed;
        var stderr = await errors;
        var (received, sent, connections) = proxy.Take();
        var calls = stderr.Split('\n').Count(isCall);
        var kept = string.Join('\n', stderr.Split('\n').Where(l => !isCall(l) && l.Length > 0).Take(20));
        return new CommandRun(time, process.ExitCode, calls, received, sent, connections, await lines, kept);
    }

    static async Task<long> CountLinesAsync(StreamReader reader)
    {
        long n = 0;
        while (await reader.ReadLineAsync() is not null) n++;
        return n;
    }
}
