using k8s;
using k8s.Models;
using KubeRescue.Lab.Components.ControllerManager;

namespace KubeRescue.Lab.Tests.ControlPlane.Controllers;

public sealed class NodeLifecycleControllerTests
{
    const string Ns = "default";

    static V1Pod PodOn(string name, string node, long? unreachableSeconds, bool tolerateForever = false) => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        Spec = new V1PodSpec
        {
            NodeName = node,
            Containers = [new V1Container { Name = "main", Image = "registry.k8s.io/pause:3.10" }],
            Tolerations = tolerateForever
                ? [new V1Toleration { Key = "node.kubernetes.io/unreachable", OperatorProperty = "Exists", Effect = "NoExecute" }]
                : unreachableSeconds is { } s
                    ? [new V1Toleration { Key = "node.kubernetes.io/unreachable", OperatorProperty = "Exists", Effect = "NoExecute", TolerationSeconds = s }]
                    : null,
        },
    };

    /// <summary>The test's kubelet: the pod runs and is ready.</summary>
    static async Task RunAsync(ControllerHarness lab, V1Pod created)
    {
        var pod = await lab.Client.CoreV1.ReadNamespacedPodAsync(created.Metadata.Name, Ns);
        pod.Status.Phase = "Running";
        pod.Status.Conditions = [new V1PodCondition { Type = "Ready", Status = "True", LastTransitionTime = DateTime.UtcNow }];
        await lab.Client.CoreV1.ReplaceNamespacedPodStatusAsync(pod, pod.Metadata.Name, Ns);
    }

    /// <summary>
    /// The grace period on the controller's own clock, a fake one: it alone judges (a heartbeat only counts as the pass
    /// that sees it change), so the test moves it pass by pass, each exactly one monitor period, and reads the verdict
    /// the pass wrote before it waited again.
    /// </summary>
    [Fact]
    public async Task A_node_goes_unknown_at_the_first_pass_past_its_grace_period_counted_from_the_last_heartbeat_seen()
    {
        var clock = new FakeClock();
        var period = NodeLifecycleController.DefaultNodeMonitorPeriod;
        await using var lab = await ControllerHarness.StartAsync(1, clock, new NodeLifecycleController());
        async Task PassAsync()
        {
            clock.Advance(period);
            await Wait.UntilAsync(() => Task.FromResult(clock.Waiters > 0), what: "the pass to end");
        }
        async Task<V1NodeCondition> ReadyAsync() => (await lab.Client.CoreV1.ReadNodeAsync("worker-0")).Status.Conditions.Single(c => c.Type == "Ready");

        // The first pass has seen no node; the next one sees worker-0 first: its window opens then.
        await Wait.UntilAsync(() => Task.FromResult(clock.Waiters > 0), what: "the first pass to end");
        await lab.AddNodeAsync("worker-0");
        await Wait.UntilAsync(() => Task.FromResult(lab.Informers.Nodes.Get(null, "worker-0") is not null), what: "the controller to see worker-0");
        await PassAsync();

        // Half-way through, the kubelet renews its Lease: the pass that sees it opens the window anew.
        for (var i = 0; i < 5; i++) await PassAsync();
        await lab.RenewLeaseAsync("worker-0");
        await Wait.UntilAsync(() => Task.FromResult(lab.Informers.Leases.Get("kube-node-lease", "worker-0") is not null), what: "the controller to see the lease");
        await PassAsync();
        var renewed = clock.GetUtcNow().UtcDateTime;

        // The grace period (50 s) after the renewal was seen, exactly: still Ready, though well past the first window.
        for (var i = 0; i < 10; i++) await PassAsync();
        Assert.Equal(renewed + NodeLifecycleController.DefaultNodeMonitorGracePeriod, clock.GetUtcNow().UtcDateTime);
        Assert.Equal("True", (await ReadyAsync()).Status);

        await PassAsync();
        var unknown = await ReadyAsync();
        Assert.Equal(("Unknown", "NodeStatusUnknown"), (unknown.Status, unknown.Reason));
        Assert.Equal(clock.GetUtcNow().UtcDateTime, unknown.LastTransitionTime?.ToUniversalTime());
    }

    [Fact]
    public async Task A_silent_node_goes_unknown_is_tainted_and_its_pods_are_evicted_after_their_toleration()
    {
        // Speed 10 with a 5 s grace period and a 1 s monitor period: Unknown about half a second after the last heartbeat.
        await using var lab = await ControllerHarness.StartAsync(10,
            new NodeLifecycleController(nodeMonitorGracePeriod: TimeSpan.FromSeconds(5), nodeMonitorPeriod: TimeSpan.FromSeconds(1)),
            new TaintEvictionController());
        await lab.AddNodeAsync("worker-0");
        await lab.AddNodeAsync("worker-1");
        await lab.RenewLeaseAsync("worker-0");
        var quick = await lab.Client.CoreV1.CreateNamespacedPodAsync(PodOn("quick", "worker-0", unreachableSeconds: 3), Ns);
        var stays = await lab.Client.CoreV1.CreateNamespacedPodAsync(PodOn("stays", "worker-0", null, tolerateForever: true), Ns);
        var intolerant = await lab.Client.CoreV1.CreateNamespacedPodAsync(PodOn("default-300s", "worker-0", null), Ns);
        foreach (var pod in new[] { quick, stays, intolerant }) await RunAsync(lab, pod);

        // worker-1's kubelet keeps renewing its lease (so the zone is not fully disrupted); worker-0's has stopped.
        using var heartbeats = new CancellationTokenSource();
        var kubelet = Task.Run(async () =>
        {
            while (!heartbeats.IsCancellationRequested)
            {
                await lab.RenewLeaseAsync("worker-1");
                await Task.Delay(100);
            }
        });

        await Wait.UntilAsync(async () =>
        {
            var node = await lab.Client.CoreV1.ReadNodeAsync("worker-0");
            return node.Status.Conditions.Single(c => c.Type == "Ready") is { Status: "Unknown", Reason: "NodeStatusUnknown", Message: "Kubelet stopped posting node status." }
                && node.Spec.Taints?.Any(t => t is { Key: "node.kubernetes.io/unreachable", Effect: "NoExecute", TimeAdded: not null }) == true
                && node.Spec.Taints.Any(t => t is { Key: "node.kubernetes.io/unreachable", Effect: "NoSchedule" });
        }, what: "worker-0 Unknown and tainted unreachable");
        var healthy = await lab.Client.CoreV1.ReadNodeAsync("worker-1");
        Assert.Equal("True", healthy.Status.Conditions.Single(c => c.Type == "Ready").Status);
        Assert.Null(healthy.Spec.Taints);

        // MarkPodsNotReady.
        await Wait.UntilAsync(async () => (await lab.Client.CoreV1.ReadNamespacedPodAsync("stays", Ns)).Status.Conditions.Single(c => c.Type == "Ready").Status == "False",
            what: "pods on worker-0 not ready");

        // 3 s of toleration at speed 10: evicted (Terminating: no kubelet on worker-0 to finish it) within a second or so.
        await Wait.UntilAsync(async () => (await lab.Client.CoreV1.ReadNamespacedPodAsync("quick", Ns)).Metadata.DeletionTimestamp is not null, what: "quick evicted");
        var evicted = await lab.Client.CoreV1.ReadNamespacedPodAsync("quick", Ns);
        Assert.Contains(evicted.Status.Conditions, c => c is { Type: "DisruptionTarget", Status: "True", Reason: "DeletionByTaintManager" });
        // 300 s (30 s here) and forever: still there.
        Assert.Null((await lab.Client.CoreV1.ReadNamespacedPodAsync("default-300s", Ns)).Metadata.DeletionTimestamp);
        Assert.Null((await lab.Client.CoreV1.ReadNamespacedPodAsync("stays", Ns)).Metadata.DeletionTimestamp);

        // worker-0's kubelet comes back: it posts Ready and renews; the taints come off.
        var back = await lab.Client.CoreV1.ReadNodeAsync("worker-0");
        back.Status.Conditions = [ControllerHarness.ReadyCondition(DateTime.UtcNow)];
        await lab.Client.CoreV1.ReplaceNodeStatusAsync(back, "worker-0");
        await lab.RenewLeaseAsync("worker-0");
        await Wait.UntilAsync(async () => (await lab.Client.CoreV1.ReadNodeAsync("worker-0")).Spec.Taints is null or { Count: 0 }, what: "taints removed");

        await heartbeats.CancelAsync();
        await kubelet;
    }
}
