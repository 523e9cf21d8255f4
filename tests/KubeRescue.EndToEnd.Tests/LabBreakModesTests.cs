using System.Text.RegularExpressions;

namespace KubeRescue.EndToEnd.Tests;

/// <summary>
/// The bad-flag and node-crash faults from the real CLI on a lab of their own, checked with the real kubectl. They
/// break different components, so the two tests do not disturb each other.
/// </summary>
public class LabBreakModesTests(ClusterLabProcess lab) : IClassFixture<ClusterLabProcess>
{
    const string Flag = "--bad-flag-from-kube-rescue-lab";

    [Fact]
    public async Task A_bad_flag_crash_loops_the_new_revision_and_rollout_undo_restores_the_template_but_not_the_scheduler()
    {
        var result = await Processes.RunAsync(Processes.Cli("lab", "break", "scheduler", "--mode", "bad-flag", "--kubeconfig", lab.Kubeconfig, "--settle", "2"),
            timeout: TimeSpan.FromMinutes(3));
        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Contains($"rolled out deployment kube-system/kube-scheduler with {Flag}", result.Stdout);
        Assert.Matches(@"kube-scheduler broken: a bad flag rolled out, \d+ pods of the old revision deleted", result.Stdout);

        using var kubectl = new Kubectl(Kubectl.Default, lab.Kubeconfig);
        var history = await kubectl.OkAsync("rollout history deployment/kube-scheduler -n kube-system");
        Assert.Matches(@"(?m)^2\s+kube-rescue lab break --mode bad-flag\s*$", history);

        // The bad revision crash-loops with growing restarts wherever it runs; whatever the good revision still has
        // is Pending with no node. (How many of each depends on how far the rollout got: a crashing container
        // without a readiness probe counts as ready while it runs, so the rollout may advance, as on a real cluster.)
        await Wait.UntilAsync(async () =>
        {
            var rows = (await kubectl.OkAsync("get pods -n kube-system -l k8s-app=kube-scheduler -o wide --no-headers")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            var placed = rows.Where(r => !Regex.IsMatch(r, @"\s<none>\s+<none>\s+<none>\s+<none>\s*$")).ToList();
            return rows.Length >= 2 && placed.Any(r => Regex.IsMatch(r, @"\s0/1\s+CrashLoopBackOff\s+([2-9]|\d\d)"))
                && placed.All(r => Regex.IsMatch(r, @"\s\d/1\s+\S+\s+[1-9]\d*\s"))
                && rows.Except(placed).All(r => Regex.IsMatch(r, @"\s0/1\s+Pending\s+0\s"));
        }, TimeSpan.FromMinutes(1), "the bad revision crash-looping wherever it runs, the good one Pending", Kubectl.PollInterval);

        var undo = await kubectl.OkAsync("rollout undo deployment/kube-scheduler -n kube-system");
        Assert.Equal("deployment.apps/kube-scheduler rolled back", undo.Trim());
        var command = await kubectl.OkAsync(["get", "deployment", "kube-scheduler", "-n", "kube-system", "-o", "jsonpath={.spec.template.spec.containers[0].command}"]);
        Assert.DoesNotContain(Flag, command);
        // The good template is back as revision 3, but the rollout cannot advance: the good revision's pods need a
        // scheduler to become available, and with maxUnavailable 0 the bad ones go only when they are. As on a real
        // cluster, undo alone heals nothing; a rescue scheduler from the last good revision does.
        await Wait.UntilAsync(async () => Regex.IsMatch(await kubectl.OkAsync("rollout history deployment/kube-scheduler -n kube-system"), @"(?m)^3\s+<none>\s*$"),
            TimeSpan.FromMinutes(1), "revision 3", Kubectl.PollInterval);
        var status = await kubectl.RunAsync("rollout status deployment/kube-scheduler -n kube-system --timeout=3s");
        Assert.NotEqual(0, status.ExitCode);
        Assert.Contains("timed out waiting for the condition", status.Stderr);
        var pods = await kubectl.OkAsync("get pods -n kube-system -l k8s-app=kube-scheduler -o wide --no-headers");
        Assert.DoesNotContain("1/1", pods);
        Assert.Matches(@"\s0/1\s+Pending\s+0\s+\S+\s+<none>\s+<none>", pods);
    }

    [Fact]
    public async Task A_node_crash_crash_loops_the_instance_on_that_node_until_the_node_is_restored()
    {
        using var kubectl = new Kubectl(Kubectl.Default, lab.Kubeconfig);
        var first = (await kubectl.OkAsync("get pods -n kube-system -l k8s-app=kube-controller-manager -o wide --no-headers")).Split('\n')[0];
        var (pod, node) = (first.Split(' ')[0], Regex.Match(first, @"master-\d").Value);
        var result = await Processes.RunAsync(Processes.Cli("lab", "break", "controller-manager", "--mode", "node-crash", "--node", node, "--kubeconfig", lab.Kubeconfig),
            timeout: TimeSpan.FromMinutes(2));
        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Contains($"pod kube-system/{pod} on {node} crashes: exit code 1 (Error)", result.Stdout);
        Assert.Contains($"kube-controller-manager broken on {node}: it crashes there, other nodes run it", result.Stdout);
        await Wait.UntilAsync(async () =>
        {
            var rows = (await kubectl.OkAsync("get pods -n kube-system -l k8s-app=kube-controller-manager --no-headers")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            return rows.Any(r => Regex.IsMatch(r, $@"^{pod}\s+0/1\s+(CrashLoopBackOff|Error)\s+[1-9]")) && rows.Count(r => Regex.IsMatch(r, @"\s1/1\s+Running\s+0\s")) == 1;
        }, TimeSpan.FromMinutes(1), "the instance on the node crash-looping, the other running", Kubectl.PollInterval);

        var restore = await Processes.RunAsync(Processes.Cli("lab", "break", "node", node, "--restore", "--kubeconfig", lab.Kubeconfig));
        Assert.True(restore.ExitCode == 0, restore.Output);
        Assert.Equal("", (await kubectl.OkAsync(["get", "node", node, "-o", "jsonpath={.metadata.annotations.kube-rescue\\.io/crash}"])).Trim());
        await Wait.UntilAsync(async () => Regex.IsMatch(await kubectl.OkAsync($"get pod -n kube-system {pod} --no-headers"), @"\s1/1\s+Running\s"),
            TimeSpan.FromMinutes(1), "the instance running again", Kubectl.PollInterval);
    }
}
