namespace KubeRescue.EndToEnd.Tests;

/// <summary><c>kube-rescue lab break</c> from the real CLI against its own lab, checked with kubectl.</summary>
public class LabBreakTests(ClusterLabProcess lab) : IClassFixture<ClusterLabProcess>
{
    [Fact]
    public async Task Breaking_the_scheduler_leaves_its_replacements_pending_with_no_node()
    {
        var result = await Processes.RunAsync(Processes.Cli("lab", "break", "scheduler", "--kubeconfig", lab.Kubeconfig, "--settle", "2"), timeout: TimeSpan.FromMinutes(2));
        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Matches(@"kube-scheduler broken: \d+ pods deleted, none left running", result.Stdout);
        using var kubectl = new Kubectl(Kubectl.Default, lab.Kubeconfig);
        var pods = await kubectl.OkAsync("get pods -n kube-system -l k8s-app=kube-scheduler -o wide --no-headers");
        var rows = pods.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, rows.Length);
        Assert.All(rows, r => Assert.Matches(@"^kube-scheduler-\S+\s+0/1\s+Pending\s+0\s+\S+\s+<none>\s+<none>", r));
    }

    [Theory]
    [InlineData("etcd")]
    [InlineData("")]
    public async Task An_unknown_component_is_refused_and_changes_nothing(string component)
    {
        using var kubectl = new Kubectl(Kubectl.Default, lab.Kubeconfig);
        var before = await kubectl.OkAsync("get pods -n kube-system -o name");
        var result = await Processes.RunAsync(Processes.Cli("lab", "break", component, "--kubeconfig", lab.Kubeconfig));
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("scheduler", result.Stderr);
        Assert.Equal(before, await kubectl.OkAsync("get pods -n kube-system -o name"));
    }
}
