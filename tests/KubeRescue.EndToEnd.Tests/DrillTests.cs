namespace KubeRescue.EndToEnd.Tests;

/// <summary><c>kube-rescue drill</c> from the real CLI: a lab of its own each time, broken, recovered, proven, shut down.</summary>
public class DrillTests
{
    [Theory]
    [InlineData("scheduler", "delete-pods")]
    [InlineData("scheduler", "bad-flag")]
    [InlineData("scheduler", "node-crash")]
    [InlineData("controller-manager", "delete-pods")]
    [InlineData("controller-manager", "bad-flag")]
    [InlineData("controller-manager", "node-crash")]
    [InlineData("both", "delete-pods")]
    [InlineData("both", "bad-flag")]
    [InlineData("both", "node-crash")]
    public async Task A_drill_breaks_recovers_and_proves_the_control_plane(string component, string mode)
    {
        var result = await Processes.RunAsync(Processes.Cli("drill", component, "--mode", mode, "--time-scale", "5"), timeout: TimeSpan.FromMinutes(5));
        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Contains("starting the lab: 3 masters, 2 workers", result.Stdout);
        Assert.Contains($"(--mode {mode})", result.Stdout);
        Assert.Matches(@"recovered in \d", result.Stdout);
        Assert.Contains($"broken by {mode}, recovered and healthy", result.Stdout);
        Assert.Contains("shutting the lab down", result.Stdout);
        // Piped, the tables carry no escape codes.
        Assert.DoesNotContain('\u001b', result.Stdout);
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
