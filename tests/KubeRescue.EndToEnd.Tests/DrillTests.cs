namespace KubeRescue.EndToEnd.Tests;

/// <summary><c>kube-rescue drill</c> from the real CLI: a lab of its own each time, broken, recovered, proven, shut down.</summary>
public class DrillTests
{
    /// <summary>Each pair once; the output is piped, but for one drill on a terminal (live progress) and one as JSON.</summary>
    [Theory]
    [InlineData("scheduler", "delete-pods", "pipe")]
    [InlineData("scheduler", "bad-flag", "pipe")]
    [InlineData("scheduler", "node-crash", "pipe")]
    [InlineData("controller-manager", "delete-pods", "terminal")]
    [InlineData("controller-manager", "bad-flag", "pipe")]
    [InlineData("controller-manager", "node-crash", "pipe")]
    [InlineData("both", "delete-pods", "json")]
    [InlineData("both", "bad-flag", "pipe")]
    [InlineData("both", "node-crash", "pipe")]
    public async Task A_drill_breaks_recovers_and_proves_the_control_plane(string component, string mode, string output)
    {
        var drill = Processes.Cli(["drill", component, "--mode", mode, "--time-scale", "5", .. output == "json" ? new[] { "-o", "json" } : []]);
        if (output == "terminal") drill = Processes.InTerminal(drill);
        var result = await Processes.RunAsync(drill, timeout: TimeSpan.FromMinutes(5));
        Assert.True(result.ExitCode == 0, result.Output);
        // As JSON, the story goes to stderr and stdout is the document alone.
        var story = output == "json" ? result.Stderr : result.Stdout;
        Assert.True(story.Contains("starting the lab: 3 masters, 2 workers", StringComparison.Ordinal), result.Output);
        Assert.Contains($"(--mode {mode})", story);
        Assert.Matches(@"recovered in \d", story);
        Assert.Contains($"broken by {mode}, recovered and healthy", story);
        Assert.Contains("shutting the lab down", story);
        switch (output)
        {
            case "terminal":
                // The live table: redrawn in place (cursor up), its finished rows marked ok, with colour.
                Assert.Matches(@"\u001b\[\d*A", result.Stdout);
                Assert.Matches(@"│ \u001b\[[0-9;]+mok\u001b\[0m +│ await-replacement +│ kube-controller-manager +│ \d", result.Stdout);
                break;
            case "json":
                Schemas.AssertValid("drill", result.Stdout);
                var doc = System.Text.Json.Nodes.JsonNode.Parse(result.Stdout)!;
                Assert.True((bool)doc["passed"]!);
                Assert.Equal(["kube-scheduler", "kube-controller-manager"], doc["components"]!.AsArray().Select(c => (string)c!));
                Assert.Equal("down", (string?)doc["before"]!["overall"]);
                Assert.Equal("healthy", (string?)doc["after"]!["overall"]);
                Assert.True((bool)doc["recovery"]!["succeeded"]!);
                Assert.DoesNotContain('\u001b', result.Output);
                break;
            default:
                // Piped, the tables carry no escape codes.
                Assert.DoesNotContain('\u001b', result.Output);
                break;
        }
    }

    [Theory]
    [InlineData("drill etcd", "etcd")]
    [InlineData("drill scheduler --mode reboot", "reboot")]
    [InlineData("drill scheduler --mode node-crash --masters 1", "needs at least 2 masters")]
    [InlineData("drill scheduler --time-scale 0", "--time-scale 0")]
    public async Task Bad_drill_options_are_refused_before_a_lab_starts(string args, string error)
    {
        var result = await Processes.RunAsync(Processes.Cli(args.Split(' ')));
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains(error, result.Stderr);
        Assert.DoesNotContain("starting the lab", result.Stdout);
    }
}
