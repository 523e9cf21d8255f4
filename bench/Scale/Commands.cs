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
        long lines = 0;
        var run = await ProcessRunner.RunAsync(new ProcessStartInfo(file, args), timeout, stdoutLine: _ => lines++, keepStdout: false);
        var (received, sent, connections) = proxy.Take();
        var calls = run.Stderr.Split('\n').Select(l => (Line: l, Ms: callTime(l))).ToList();
        var kept = string.Join('\n', calls.Where(c => c.Ms is null && c.Line.Length > 0).Select(c => c.Line).Take(20));
        var times = calls.Where(c => c.Ms is not null).Select(c => c.Ms!.Value).ToList();
        return new CommandRun(run.Elapsed, run.ExitCode, times.Count, times.DefaultIfEmpty(0).Max(), received, sent, connections, lines, kept);
    }
}
