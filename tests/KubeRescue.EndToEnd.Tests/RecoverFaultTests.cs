namespace KubeRescue.EndToEnd.Tests;

/// <summary>
/// The harder faults from the real CLI on a lab of their own: a bad flag recovered from the last good revision (status
/// still says the template is bad until --rollback), then both components lost at once.
/// </summary>
public class RecoverFaultTests(ClusterLabProcess lab) : IClassFixture<ClusterLabProcess>
{
    Task<ProcessResult> Cli(params string[] args) =>
        Processes.RunAsync(Processes.Cli([.. args, "--kubeconfig", lab.Kubeconfig]), timeout: TimeSpan.FromMinutes(4));

    [Fact]
    public async Task A_bad_flag_then_both_components_lost_are_recovered_and_status_agrees()
    {
        var broken = await Cli("lab", "break", "scheduler", "--mode", "bad-flag", "--settle", "2");
        Assert.True(broken.ExitCode == 0, broken.Output);
        var status = await Cli("status", "-o", "json");
        Assert.True(status.ExitCode == 2, status.Output);
        Assert.Contains("--source last-good", status.Stdout);

        // From the last good revision: the scheduler works again, but its Deployment still has the bad template.
        var recovered = await Cli("recover", "scheduler", "--source", "last-good", "--yes", "--min-ready", "1s");
        Assert.True(recovered.ExitCode == 0, recovered.Output);
        Assert.Contains("Add --rollback", recovered.Stdout);
        status = await Cli("status");
        Assert.True(status.ExitCode == 1, status.Output);
        Assert.Contains("crash", status.Stdout);

        // --rollback fixes the template too; then the control plane is healthy.
        recovered = await Cli("recover", "scheduler", "--source", "last-good", "--rollback", "--yes", "--min-ready", "1s", "--verbose");
        Assert.True(recovered.ExitCode == 0, recovered.Output);
        Assert.Contains("roll-back", recovered.Stdout);
        // The rollback's patch, the revisions read for last-good: all within docs/rbac.yaml.
        Assert.Contains(recovered.Stderr.Split('\n'), l => l.StartsWith("api: PATCH ", StringComparison.Ordinal) && l.Contains("/deployments/kube-scheduler", StringComparison.Ordinal));
        Rbac.AssertAllowed(recovered.Stderr);
        await Wait.UntilAsync(async () => (await Cli("status")).ExitCode == 0, TimeSpan.FromMinutes(1), "status healthy after the rollback", Kubectl.PollInterval);

        // Both at once: refused for one alone, recovered together.
        broken = await Cli("lab", "break", "both", "--settle", "2");
        Assert.True(broken.ExitCode == 0, broken.Output);
        var alone = await Cli("recover", "controller-manager", "--yes");
        Assert.Equal(2, alone.ExitCode);
        Assert.Contains("kube-rescue recover all", alone.Stderr);
        recovered = await Cli("recover", "all", "--yes", "--min-ready", "1s", "--verbose");
        Assert.True(recovered.ExitCode == 0, recovered.Output);
        Rbac.AssertAllowed(recovered.Stderr);
        Assert.Contains("recovered kube-scheduler and kube-controller-manager", recovered.Stdout);
        // verify found it healthy; a later look may catch a late lease renewal on a loaded machine, so wait for health.
        await Wait.UntilAsync(async () => (status = await Cli("status")).ExitCode == 0, TimeSpan.FromMinutes(1), "status healthy after recovering both", Kubectl.PollInterval);
        using var kubectl = new Kubectl(Kubectl.Default, lab.Kubeconfig);
        Assert.Empty((await kubectl.OkAsync("get pods -n kube-system -l kube-rescue.io/rescue -o name")).Trim());
    }
}
