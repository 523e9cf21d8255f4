using System.Text.RegularExpressions;

namespace KubeRescue.EndToEnd.Tests;

/// <summary>A whole self-hosted lab from the real CLI, five times faster than real time (enough margin for leases on a busy 2-core machine).</summary>
public sealed class ClusterLabProcess() : LabFixture(new LabOptions { Masters = 3, Workers = 2, TimeScale = 5 });

/// <summary>
/// With the real kubectl, a fresh lab looks like a real self-hosted cluster, and the commands of the manual
/// rescue procedure work against it.
/// </summary>
public class ClusterLabTests(ClusterLabProcess lab) : IClassFixture<ClusterLabProcess>
{
    [Fact]
    public void Boot_progress_reads_like_bootkube_and_ends_ready()
    {
        var output = lab.Output;
        var steps = new[] { "starting the temporary bootstrap control plane", "creating self-hosted assets", "pod status: kube-scheduler Running",
            "pod status: kube-controller-manager Running", "tearing down the temporary bootstrap control plane", "lab cluster ready at" };
        var positions = steps.Select(s => output.IndexOf(s, StringComparison.Ordinal)).ToList();
        Assert.All(positions, p => Assert.True(p >= 0, output));
        Assert.Equal(positions.Order(), positions);
    }

    [Fact]
    public async Task Get_pods_all_namespaces_wide_looks_like_a_self_hosted_cluster()
    {
        using var kubectl = new Kubectl(Kubectl.Default, lab.Kubeconfig);
        var output = await kubectl.OkAsync("get pods -A -o wide");
        var rows = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(l => Regex.Split(l.Trim(), @"\s+")).ToList();
        int Count(string prefix) => rows.Count(r => r[0] == "kube-system" && r[1].StartsWith(prefix + "-", StringComparison.Ordinal) && r[3] == "Running");
        Assert.Equal(2, Count("kube-scheduler"));
        Assert.Equal(2, Count("kube-controller-manager"));
        Assert.Equal(3, Count("kube-apiserver"));
        Assert.Equal(3, Count("pod-checkpointer"));
        Assert.Equal(5, Count("kube-proxy"));
        Assert.Matches(@"kube-scheduler-[0-9a-z]+-[0-9a-z]{5}\s+1/1\s+Running\s+0\s+\S+\s+10\.2\.\d+\.\d+\s+master-\d", output);
        var nodes = await kubectl.OkAsync("get nodes");
        Assert.Matches(@"master-1\s+Ready\s+master\s+\S+\s+v1\.33\.0", nodes);
        Assert.Matches(@"worker-1\s+Ready\s+<none>", nodes);
    }

    [Fact]
    public async Task The_manual_rescue_procedure_s_commands_work()
    {
        using var kubectl = new Kubectl(Kubectl.Default, lab.Kubeconfig);
        var yaml = await kubectl.OkAsync("get deployment kube-scheduler -n kube-system -o yaml");
        Assert.Contains("- ./hyperkube", yaml);
        Assert.Contains("node-role.kubernetes.io/master: \"\"", yaml);
        var masters = await kubectl.OkAsync("get nodes -l node-role.kubernetes.io/master -o name");
        Assert.Equal(["node/master-1", "node/master-2", "node/master-3"], masters.Split('\n', StringSplitOptions.RemoveEmptyEntries));

        // A pod pinned with nodeName skips the scheduler; the kubelet runs it; delete -f removes it.
        var pod = """
            apiVersion: v1
            kind: Pod
            metadata:
              name: kube-scheduler-rescue
              namespace: kube-system
            spec:
              nodeName: master-2
              serviceAccountName: default
              containers:
              - name: kube-scheduler
                image: quay.io/coreos/hyperkube:v1.8.4_coreos.0
                command: ["./hyperkube", "scheduler", "--leader-elect=true"]
            """;
        Assert.Equal("pod/kube-scheduler-rescue created", (await kubectl.OkAsync("create -f -", pod)).Trim());
        Assert.Equal("condition met", (await kubectl.OkAsync("wait --for=condition=Ready pod/kube-scheduler-rescue -n kube-system --timeout=60s")).Trim().Split(' ', 2)[1]);
        Assert.Equal("pod \"kube-scheduler-rescue\" deleted", (await kubectl.OkAsync("delete -f -", pod)).Trim());
        var gone = await kubectl.RunAsync("get pod kube-scheduler-rescue -n kube-system");
        Assert.Contains("NotFound", gone.Stderr);
    }

    [Fact]
    public async Task Drain_evicts_a_node_s_pods_and_their_replicas_come_back_elsewhere()
    {
        using var kubectl = new Kubectl(Kubectl.Default, lab.Kubeconfig);
        await kubectl.OkAsync("create namespace drain");
        await kubectl.OkAsync("create deployment web -n drain --image=nginx:1 --replicas=4");
        await kubectl.OkAsync("rollout status deployment/web -n drain --timeout=60s");
        var before = await kubectl.OkAsync("get pods -n drain -o wide --no-headers");
        Assert.Contains("worker-2", before);

        var drain = await kubectl.RunAsync("drain worker-2 --ignore-daemonsets --timeout=90s");
        try
        {
            Assert.True(drain.ExitCode == 0, drain.Output);
            Assert.Contains("node/worker-2 cordoned", drain.Output);
            Assert.Matches(@"evicting pod drain/web-", drain.Output);
            Assert.Contains("node/worker-2 drained", drain.Output);
            Assert.Matches(@"Warning: ignoring DaemonSet-managed Pods: kube-system/kube-proxy-", drain.Output);
            Assert.Contains("SchedulingDisabled", await kubectl.OkAsync("get node worker-2"));
            // The ReplicaSet replaces the evicted pods on the node that is left; kube-proxy stays.
            await kubectl.OkAsync("rollout status deployment/web -n drain --timeout=60s");
            await Wait.UntilAsync(async () =>
            {
                var rows = (await kubectl.OkAsync("get pods -n drain -o wide --no-headers")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
                return rows.Length == 4 && rows.All(r => Regex.IsMatch(r, @"\s1/1\s+Running\s.*\sworker-1\s"));
            }, TimeSpan.FromMinutes(1), "four web pods Running on worker-1", Kubectl.PollInterval);
            Assert.Contains("worker-2", await kubectl.OkAsync("get pods -n kube-system -l k8s-app=kube-proxy -o wide"));
        }
        finally
        {
            await kubectl.OkAsync("uncordon worker-2");
            await kubectl.OkAsync("delete namespace drain --wait=false");
        }
    }
}
