using System.Diagnostics;
using System.Text.RegularExpressions;

namespace KubeRescue.EndToEnd.Tests;

/// <summary>
/// The API server benchmark's small version, so that it cannot rot: it runs to its end and reports every measure.
/// Alone with the scale benchmark: its 32 workers keep both cores busy.
/// </summary>
[Collection(ScaleBenchCollection.Name)]
public sealed class ApiBenchTests
{
#if DEBUG
    const string Configuration = "Debug";
#else
    const string Configuration = "Release";
#endif

    [Fact]
    public async Task The_api_benchmark_runs_quick_and_reports_every_measure()
    {
        var psi = new ProcessStartInfo("dotnet");
        foreach (var a in new[] { "run", "--project", Path.Combine(NativeBuild.Root, "bench", "ApiBench"), "-c", Configuration, "--", "--quick", "--cli", Processes.CliDll })
            psi.ArgumentList.Add(a);
        var bench = await Processes.RunAsync(psi, timeout: TimeSpan.FromMinutes(4));
        Assert.True(bench.ExitCode == 0, bench.Output);

        string Row(string measure)
        {
            var row = Regex.Match(bench.Stdout, $@"^\| {Regex.Escape(measure)}[^|]* \| (?<result>[^|]+) \|", RegexOptions.Multiline);
            Assert.True(row.Success, $"no row '{measure}' in:\n{bench.Stdout}");
            return row.Groups["result"].Value.Trim();
        }
        const string rate = @"^[\d,]+/s, p50 \d+\.\d ms, p99 \d+\.\d ms$";
        foreach (var protocol in new[] { "HTTP/1.1, 32 keep-alive connections", "HTTP/2, one connection" })
        {
            Assert.Matches(rate, Row($"single-object writes (POST configmap), {protocol}"));
            Assert.Matches(rate, Row($"single-object GETs, {protocol}"));
        }
        // 500 pods of the benchmark's size: whole, as kubectl's Table in pages, and in pages.
        Assert.Matches(@"^p50 \d+ ms, max \d+ ms$", Row("LIST of 500 pods"));
        Assert.Matches(@"^p50 \d+ ms, max \d+ ms$", Row("LIST as kubectl get pods (Table) of 500 pods"));
        Assert.Matches(@"^p50 \d+ ms, max \d+ ms$", Row("LIST in pages of 500, all pages of 500 pods"));
        // Every watcher got every event: 10 watchers, 20 events.
        Assert.Matches(@"^p50 \d+\.\d ms, p99 \d+\.\d ms$", Row("watch event delivery to 10 concurrent watchers (200 deliveries)"));
        Assert.Matches(@"lab process peak RSS: \d+ MiB", bench.Stdout);
    }
}
