using System.Diagnostics;
using System.Text.Json.Nodes;

namespace KubeRescue.EndToEnd.Tests;

/// <summary>
/// The MTTR benchmark's small version (bench/Mttr --quick: one lab 5x faster, one run of kube-rescue and of the
/// manual script per scenario), so that the benchmark, its manual procedure and its floor cannot rot.
/// </summary>
public class MttrBenchTests
{
    [Fact]
    public async Task The_quick_benchmark_recovers_every_scenario_both_ways_and_reports_sane_figures()
    {
        var dir = Directory.CreateTempSubdirectory("kube-rescue-mttr-test-").FullName;
        var json = Path.Combine(dir, "mttr.json");
        var psi = new ProcessStartInfo("dotnet");
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "Mttr.dll"), "--quick", "--json", json }) psi.ArgumentList.Add(a);
        ProcessResult result;
        JsonArray runs;
        try
        {
            result = await Processes.RunAsync(psi, timeout: TimeSpan.FromMinutes(6));
            Assert.True(result.ExitCode == 0, result.Output);
            runs = JsonNode.Parse(await File.ReadAllTextAsync(json))!["results"]!.AsArray();
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
        foreach (var scenario in new[] { "scheduler", "controller-manager", "both" })
        {
            Assert.Matches($@"\| {scenario} \| kube-rescue \| \d+\.\d \| \d+\.\d \| \d+\.\d \| 0 \|", result.Stdout);
            Assert.Matches($@"\| {scenario} \| manual \| \d+\.\d \| \d+\.\d \| \d+\.\d \| 0 \|", result.Stdout);
        }

        Assert.Equal(6, runs.Count);
        foreach (var run in runs)
        {
            var what = run!.ToJsonString();
            Assert.True(run["Failure"] is null, what);
            var (toHealthy, toExit, faultToHealthy) = ((double)run["ToHealthy"]!, (double)run["ToExit"]!, (double)run["FaultToHealthy"]!);
            Assert.True(toHealthy > 0 && faultToHealthy >= toHealthy, what);
            if ((string)run["Method"]! == "manual") continue;
            // The floor is made of waits that lie on the run's own path, between gaps no run avoids (the process's
            // start-up at least): it is below the whole run.
            var floor = (double)run["Floor"]!["Total"]!;
            Assert.True(floor > 0 && floor < toHealthy, what);
            Assert.True((double)run["ToolElapsed"]! < toExit, what);
            Assert.Contains(run["Steps"]!.AsArray(), s => (string)s!["Step"]! == "verify");
        }
    }
}
