namespace KubeRescue.EndToEnd.Tests;

/// <summary>
/// The API server benchmark's small version, so that it cannot rot: it runs to its end and reports every measure.
/// Alone with the scale benchmark: its 32 workers keep both cores busy.
/// </summary>
[Collection(ScaleBenchCollection.Name)]
public sealed class ApiBenchTests
{
    [Fact]
    public async Task The_api_benchmark_runs_quick_and_reports_every_measure()
    {
        var bench = await QuickBench.RunAsync("ApiBench", TimeSpan.FromMinutes(4));
        const string rate = @"^[\d,]+/s, p50 \d+\.\d ms, p99 \d+\.\d ms$";
        foreach (var protocol in new[] { "HTTP/1.1, 32 keep-alive connections", "HTTP/2, one connection" })
        {
            Assert.Matches(rate, bench.Row($"single-object writes (POST configmap), {protocol}"));
            Assert.Matches(rate, bench.Row($"single-object GETs, {protocol}"));
        }
        // 500 pods of the benchmark's size: whole, as kubectl's Table in pages, and in pages.
        Assert.Matches(@"^p50 \d+ ms, max \d+ ms$", bench.Row("LIST of 500 pods"));
        Assert.Matches(@"^p50 \d+ ms, max \d+ ms$", bench.Row("LIST as kubectl get pods (Table) of 500 pods"));
        Assert.Matches(@"^p50 \d+ ms, max \d+ ms$", bench.Row("LIST in pages of 500, all pages of 500 pods"));
        // Every watcher got every event: 10 watchers, 20 events.
        Assert.Matches(@"^p50 \d+\.\d ms, p99 \d+\.\d ms$", bench.Row("watch event delivery to 10 concurrent watchers (200 deliveries)"));
        Assert.Matches(@"lab process peak RSS: \d+ MiB", bench.Stdout);
    }
}
