namespace KubeRescue.EndToEnd.Tests;

/// <summary>
/// bench/Scale runs alone, after the others, like the native build: its lab, its pods and its load keep both cores
/// busy, which would starve the labs of the tests beside it.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ScaleBenchCollection
{
    public const string Name = "scale benchmark";
}

/// <summary>The scale benchmark's small version, so that it cannot rot: it runs to its end and reports every measure.</summary>
[Collection(ScaleBenchCollection.Name)]
public sealed class ScaleBenchTests
{
    [Fact]
    public async Task The_scale_benchmark_runs_quick_and_reports_every_measure()
    {
        var bench = await QuickBench.RunAsync("Scale", TimeSpan.FromMinutes(6));
        const string latencies = @"^p50 \d+\.\d+ m?s, p99 \d+\.\d+ m?s, max \d+\.\d+ m?s \([\d,]+ calls\)$";
        Assert.Matches(@"^\d+\.\d s, RSS \d+ MiB$", bench.Row("lab boot to ready"));
        Assert.Matches(@"^\d+ s \(\d+ pods/s\)$", bench.Row("1,500 pods in 5 Deployments"));
        Assert.Matches(@"^\d+\.\d\d s, 1\d API calls \(slowest \d+ ms\), \d+ KiB received, exit 0$", bench.Row("`kube-rescue status` before the pods"));
        Assert.Matches(@"^\d+\.\d\d s, 1\d API calls \(slowest \d+ ms\), \d+ KiB received, exit 0$", bench.Row("`kube-rescue status` (a process"));
        // kubectl pages the 1,500 pods (and the control plane's) by 500: four pages at least, every row printed.
        Assert.Matches(@"^\d+\.\d\d s, ([4-9]|\d\d) API calls \(slowest \d+ ms\), \d+\.\d MiB received, 1,5\d\d rows$", bench.Row("`kubectl get pods --all-namespaces`, discovery cached"));
        Assert.Matches(@"^\d+/s$", bench.Row("heartbeat writes with no other load: node Lease renewals"));
        Assert.Matches(@"^\d+ MiB$", bench.Row("lab RSS with heartbeats running"));
        Assert.Matches(latencies, bench.Row("GET pod, 8 concurrent clients"));
        Assert.Matches(latencies, bench.Row("POST configmap, 8 concurrent clients"));
        Assert.Matches(latencies, bench.Row("LIST pods in a namespace"));
        Assert.Matches(latencies, bench.Row("LIST all pods, cluster, whole"));
        Assert.Matches(latencies, bench.Row("PATCH pod (merge patch of an annotation) beside the LISTs"));
    }
}
