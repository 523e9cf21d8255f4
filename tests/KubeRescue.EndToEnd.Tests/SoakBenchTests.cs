using System.Diagnostics;
using System.Text.Json.Nodes;

namespace KubeRescue.EndToEnd.Tests;

/// <summary>
/// The reliability soak's small version (bench/Soak --quick: two drills under API faults, three recoveries killed
/// with SIGKILL and run again, lab 5x faster), so that the soak cannot rot and its guarantees are checked on every run.
/// </summary>
public class SoakBenchTests
{
    [Fact]
    public async Task Drills_under_API_faults_pass_and_killed_recoveries_heal_on_their_second_run()
    {
        var dir = Directory.CreateTempSubdirectory("kube-rescue-soak-test-").FullName;
        var json = Path.Combine(dir, "soak.json");
        var psi = new ProcessStartInfo("dotnet");
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "Soak.dll"), "--quick", "--json", json }) psi.ArgumentList.Add(a);
        ProcessResult result;
        JsonNode doc;
        try
        {
            result = await Processes.RunAsync(psi, timeout: TimeSpan.FromMinutes(8));
            Assert.True(result.ExitCode == 0, result.Output);
            doc = JsonNode.Parse(await File.ReadAllTextAsync(json))!;
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
        var drills = doc["drills"]!.AsArray();
        Assert.Equal(2, drills.Count);
        foreach (var d in drills)
        {
            var what = d!.ToJsonString();
            Assert.True((bool)d["Passed"]!, what);
            Assert.Empty(d["Overlaps"]!.AsArray());
            Assert.Empty(d["RescuePodsLeft"]!.AsArray());
            Assert.True((int)d["LeaseWrites"]! > 0, what);
            Assert.True((double)d["RecoverySeconds"]! > 0, what);
        }
        // At a 10% error rate over a hundred-odd requests, some were retried: the faults reached the tool.
        Assert.True(drills.Sum(d => (int)d!["Retries"]!) > 0, doc.ToJsonString());

        var kills = doc["kills"]!.AsArray();
        Assert.Equal(3, kills.Count);
        Assert.All(kills, k => Assert.True((bool)k!["Healed"]!, k.ToJsonString()));
        Assert.All(kills, k => Assert.Empty(k!["RescuePodsLeft"]!.AsArray()));
        Assert.Empty(doc["killOverlaps"]!.AsArray());
        Assert.Matches(@"3 of 3 healed; \d killed mid-run", result.Stdout);
    }
}
