using System.Diagnostics;
using System.Text.RegularExpressions;

namespace KubeRescue.Bench.Scale;

/// <summary>One run of a client program through the counting proxy.</summary>
sealed record CommandRun(TimeSpan Time, int ExitCode, int Requests, double SlowestCallMs, long Received, long Sent, long Connections, long OutputLines, string Errors);

static partial class Commands
{
    /// <summary>kube-rescue's <c>--verbose</c> line per API call (<c>api: GET url 200 OK in 12 ms</c>): its time, else null.</summary>
    public static double? KubeRescueCall(string line) => Time(KubeRescueResponse().Match(line));

    /// <summary>kubectl's <c>-v=6</c> line per response, in the structured form (1.30 and later) or the older one: its time, else null.</summary>
    public static double? KubectlCall(string line) => Time(KubectlResponse().Match(line));

    static double? Time(Match m) => m.Success ? double.Parse(m.Groups["ms"].Value, System.Globalization.CultureInfo.InvariantCulture) : null;

    [GeneratedRegex("""^api: [A-Z]+ \S+ .* in (?<ms>\d+) ms$""")]
    private static partial Regex KubeRescueResponse();

    [GeneratedRegex("""("Response" verb="[A-Z]+" url="https?://.* milliseconds=(?<ms>\d+)|\] [A-Z]+ https?://\S+ \d{3} .* in (?<ms>\d+) milliseconds)""")]
    private static partial Regex KubectlResponse();

    /// <summary>
    /// Runs the program to its end, timing it from start to exit; counts its stdout lines without keeping them, its
    /// API calls from its stderr log, and its traffic at the proxy.
    /// </summary>
    public static async Task<CommandRun> RunAsync(CountingProxy proxy, string file, IReadOnlyList<string> args, Func<string, double?> callTime, TimeSpan timeout)
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
        var calls = stderr.Split('\n').Select(l => (Line: l, Ms: callTime(l))).ToList();
        var kept = string.Join('\n', calls.Where(c => c.Ms is null && c.Line.Length > 0).Select(c => c.Line).Take(20));
        var times = calls.Where(c => c.Ms is not null).Select(c => c.Ms!.Value).ToList();
        return new CommandRun(time, process.ExitCode, times.Count, times.DefaultIfEmpty(0).Max(), received, sent, connections, await lines, kept);
    }

    static async Task<long> CountLinesAsync(StreamReader reader)
    {
        long n = 0;
        while (await reader.ReadLineAsync() is not null) n++;
        return n;
    }
}
