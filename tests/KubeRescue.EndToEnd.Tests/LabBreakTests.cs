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

    [Fact]
    public async Task A_node_s_kubelet_is_stopped_and_restored_through_its_annotation()
    {
        using var kubectl = new Kubectl(Kubectl.Default, lab.Kubeconfig);
        var stop = await Processes.RunAsync(Processes.Cli("lab", "break", "node", "worker-2", "--kubeconfig", lab.Kubeconfig));
        Assert.True(stop.ExitCode == 0, stop.Output);
        Assert.Equal("node worker-2: kubelet stopped", stop.Stdout.Trim());
        Assert.Equal("stopped", (await kubectl.OkAsync(["get", "node", "worker-2", "-o", "jsonpath={.metadata.annotations.kube-rescue\\.io/kubelet}"])).Trim());
        var restore = await Processes.RunAsync(Processes.Cli("lab", "break", "node", "worker-2", "--restore", "--kubeconfig", lab.Kubeconfig));
        Assert.True(restore.ExitCode == 0, restore.Output);
        Assert.Equal("", (await kubectl.OkAsync(["get", "node", "worker-2", "-o", "jsonpath={.metadata.annotations.kube-rescue\\.io/kubelet}"])).Trim());

        var missing = await Processes.RunAsync(Processes.Cli("lab", "break", "node", "no-such-node", "--kubeconfig", lab.Kubeconfig));
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("node no-such-node does not exist", missing.Stderr);
    }

    [Theory]
    [InlineData("--mode node-crash", "--mode node-crash needs --node NAME")]
    [InlineData("--node master-1", "--node goes only with --mode node-crash")]
    [InlineData("--mode reboot", "reboot")]
    [InlineData("--mode node-crash --node no-such-node", "node no-such-node does not exist")]
    public async Task Bad_fault_options_are_refused_and_change_nothing(string options, string error)
    {
        using var kubectl = new Kubectl(Kubectl.Default, lab.Kubeconfig);
        var before = await kubectl.OkAsync("get nodes,deployments,pods -A -o name");
        var result = await Processes.RunAsync(Processes.Cli(["lab", "break", "controller-manager", .. options.Split(' '), "--kubeconfig", lab.Kubeconfig]));
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains(error, result.Stderr);
        Assert.Equal(before, await kubectl.OkAsync("get nodes,deployments,pods -A -o name"));
        Assert.DoesNotContain("kube-rescue.io/crash", await kubectl.OkAsync("get nodes -o yaml"));
    }
}
