using System.Text.RegularExpressions;

namespace KubeRescue.EndToEnd.Tests;

/// <summary>A whole self-hosted lab from the real CLI, five times faster than real time (enough margin for leases on a busy 2-core machine).</summary>
public sealed class ClusterLabProcess() : LabProcess("--masters", "3", "--workers", "2", "--time-scale", "5");

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
}
