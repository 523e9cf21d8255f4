using System.Collections.Concurrent;
using System.Reflection;
using System.Text.RegularExpressions;
using k8s;
using KubeRescue.Diagnosis;
using KubeRescue.Lab;
using KubeRescue.Lab.Components;
using KubeRescue.Lab.Faults;

namespace KubeRescue.Tests.Diagnosis;

/// <summary>
/// The diagnosis against the lab, each test on a lab of its own that it breaks (the tests of a class run one after
/// another, so only one lab runs at a time), at five times real speed.
/// </summary>
public class DiagnosisLabTests
{
    static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(100);
    static readonly ControlPlaneComponent Scheduler = ControlPlaneComponent.Scheduler;
    static readonly ControlPlaneComponent ControllerManager = ControlPlaneComponent.ControllerManager;

    static Task<LabCluster> StartLabAsync() => LabCluster.StartAsync(new LabClusterOptions { Masters = 3, Workers = 1, Timing = new LabTiming(5) });

    /// <summary>Every request the client sends, as method and path with query.</summary>
    sealed class RequestLog : DelegatingHandler
    {
        readonly ConcurrentQueue<string> _requests = new();

        public IReadOnlyList<string> Take()
        {
            var taken = new List<string>();
            while (_requests.TryDequeue(out var r)) taken.Add(r);
            return taken;
        }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
        {
            _requests.Enqueue($"{request.Method} {Uri.UnescapeDataString(request.RequestUri!.PathAndQuery)}");
            return base.SendAsync(request, ct);
        }
    }

    /// <summary>An IKubernetes that is not the Kubernetes class (as a wrapper or a test double would be), forwarding every call.</summary>
    public class Forwarder : DispatchProxy
    {
        public IKubernetes Target { get; set; } = null!;

        protected override object? Invoke(MethodInfo? method, object?[]? args) => method!.Invoke(Target, args);

        public static IKubernetes To(IKubernetes target)
        {
            var proxy = Create<IKubernetes, Forwarder>();
            ((Forwarder)(object)proxy).Target = target;
            return proxy;
        }
    }

    static readonly Regex PodList = new(@"^GET /api/v1/(namespaces/[^/]+/)?pods(\?|$)");

    [Fact]
    public async Task A_healthy_lab_is_healthy_through_targeted_reads_and_without_its_controller_manager_down_with_a_short_ReplicaSet()
    {
        await using var cluster = await StartLabAsync();
        var log = new RequestLog();
        using var client = new k8s.Kubernetes(cluster.Api.ClientConfiguration(), log);

        // Right after boot a pod may still be getting ready; what is asserted is that the lab becomes healthy.
        ControlPlaneStatus status = null!;
        await Wait.UntilAsync(async () => (status = await ControlPlaneDiagnoser.DiagnoseAsync(client, CancellationToken.None)).Overall == Verdict.Healthy,
            TimeSpan.FromSeconds(30), "a healthy verdict");
        Assert.Equal(new ApiServerHealth(true, true, null), status.ApiServer);
        Assert.Equal(["kube-scheduler", "kube-controller-manager"], status.Components.Select(c => c.Name));
        foreach (var c in status.Components)
        {
            Assert.Equal((Verdict.Healthy, "none", 2, 2), (c.Verdict, c.NextStep, c.Workload!.Desired, c.Workload.ReadyPods));
            Assert.Equal(2, c.Pods.Count(p => p.Live && p.Phase == "Running" && p.Node!.StartsWith("master-", StringComparison.Ordinal)));
            Assert.True(c.Lease is { Held: true, HolderIsLivePod: true, HolderIsRescue: false, Source: "Lease" });
            Assert.Contains(c.Pods, p => p.Name == c.Lease.HolderPod);
        }
        Assert.Equal(new PendingEvidence(0, false, 0, null), status.Components[0].Pending);
        Assert.Null(status.Components[1].Pending);
        Assert.Equal(["master-1", "master-2", "master-3"], status.Masters.Select(m => m.Name));
        Assert.All(status.Masters, m => Assert.Equal((true, false, "node-role.kubernetes.io/master:NoSchedule"), (m.Ready, m.Unschedulable, m.Taints.Single())));
        Assert.Equal([new DaemonSetEvidence("kube-apiserver", 3, 3, 3), new DaemonSetEvidence("pod-checkpointer", 3, 3, 3)], status.DaemonSets);

        // Every pod list carries a selector: the diagnosis never lists every pod of the cluster.
        var requests = log.Take();
        var podLists = requests.Where(r => PodList.IsMatch(r)).ToList();
        Assert.Contains("GET /api/v1/pods?fieldSelector=spec.nodeName=,status.phase=Pending&limit=500&watch=false", podLists);
        Assert.Contains("GET /api/v1/namespaces/kube-system/pods?labelSelector=k8s-app=kube-scheduler,tier=control-plane&watch=false", podLists);
        Assert.Contains("GET /api/v1/namespaces/kube-system/pods?labelSelector=kube-rescue.io/rescue=kube-controller-manager&watch=false", podLists);
        Assert.All(podLists, r => Assert.Matches(@"[?&](labelSelector|fieldSelector)=[^&]", r));
        Assert.Contains("GET /livez?verbose", requests);
        Assert.Contains("GET /readyz?verbose", requests);

        // One component: the same verdict, without the cluster-wide parts.
        var scheduler = await ControlPlaneDiagnoser.DiagnoseAsync(client, Scheduler, CancellationToken.None);
        Assert.Equal((Verdict.Healthy, 0), (scheduler.Verdict, scheduler.Pending!.Count));
        var single = log.Take();
        Assert.DoesNotContain(single, r => r.Contains("livez") || r.Contains("daemonsets") || r.Contains("=kube-controller-manager"));
        // Whether pods missing from its ReplicaSets will be created: the controller-manager's lease.
        Assert.Contains("GET /apis/coordination.k8s.io/v1/namespaces/kube-system/leases/kube-controller-manager", single);
        Assert.All(single.Where(r => PodList.IsMatch(r)), r => Assert.Matches(@"[?&](labelSelector|fieldSelector)=[^&]", r));

        // A client that is not the Kubernetes class cannot send a raw request: /version stands for the health endpoints.
        var forwarded = await ControlPlaneDiagnoser.DiagnoseAsync(Forwarder.To(client), CancellationToken.None);
        Assert.Equal(new ApiServerHealth(true, true, "/livez and /readyz not asked (not a Kubernetes client); /version answered v1.33.0"), forwarded.ApiServer);
        Assert.Equal([Verdict.Healthy, Verdict.Healthy], forwarded.Components.Select(c => c.Verdict));

        await DeletePodsFault.RunAsync(client, [ControllerManager.Name], Poll, TimeSpan.FromSeconds(2), _ => { }, CancellationToken.None);
        var broken = await ControlPlaneDiagnoser.DiagnoseAsync(client, CancellationToken.None);
        var cm = broken.Components.Single(c => c.Name == ControllerManager.Name);
        Assert.Equal((Verdict.Down, Verdict.Down), (broken.Overall, cm.Verdict));
        Assert.Empty(cm.Pods);
        var shortSet = Assert.Single(cm.ShortReplicaSets);
        Assert.Equal((2, 0, "1"), (shortSet.Desired, shortSet.Actual, shortSet.Revision));
        Assert.StartsWith($"no live pod (0/2 pods ready); ReplicaSet {shortSet.Name} has 0 of 2 pods and nothing creates them", cm.Summary);
        // Its Deployment's status is stale: the controller that would update it is the one gone.
        Assert.True(cm.Workload is { ReadyPods: 0, ReportedAvailable: > 0 }, cm.Summary);
        Assert.Contains($"the Deployment reports {cm.Workload.ReportedAvailable} available, its pods say 0", cm.Summary);
        Assert.Equal("kube-rescue recover controller-manager", cm.NextStep);
        Assert.Equal(Verdict.Healthy, broken.Components.Single(c => c.Name == Scheduler.Name).Verdict);
    }

    [Fact]
    public async Task A_scheduler_crashing_on_one_master_is_degraded_and_with_its_pods_deleted_down_with_pods_waiting_for_it()
    {
        await using var cluster = await StartLabAsync();
        using var client = new k8s.Kubernetes(cluster.Api.ClientConfiguration());
        var victim = (await client.CoreV1.ListNamespacedPodAsync("kube-system", labelSelector: "k8s-app=kube-scheduler")).Items[0];
        var node = victim.Spec.NodeName;
        await NodeCrashFault.RunAsync(client, node, [Scheduler.Name], Poll, TimeSpan.FromSeconds(60), _ => { }, CancellationToken.None);

        // If the victim led, its lease changes hands first; then the other scheduler leads while the victim crash-loops.
        ComponentStatus status = null!;
        await Wait.UntilAsync(async () => (status = await ControlPlaneDiagnoser.DiagnoseAsync(client, Scheduler, CancellationToken.None)) is
            { Verdict: Verdict.Degraded, Lease.HolderIsLivePod: true } && status.Pods.Any(p => p.Name == victim.Metadata.Name && p.CrashLooping),
            TimeSpan.FromSeconds(60), "the scheduler degraded, crash-looping on one master");
        Assert.NotEqual(victim.Metadata.Name, status.Lease!.HolderPod);
        Assert.Equal(1, status.Workload!.ReadyPods);
        Assert.Contains($"crash-looping: {victim.Metadata.Name} on {node} (", status.Summary);
        Assert.Equal($"find why it crashes: kubectl -n kube-system logs {victim.Metadata.Name} --previous", status.NextStep);

        await DeletePodsFault.RunAsync(client, [Scheduler.Name], Poll, TimeSpan.FromSeconds(2), _ => { }, CancellationToken.None);
        // The controller-manager recreates the deleted pods on its own time (later on a busy machine).
        ControlPlaneStatus down = null!;
        await Wait.UntilAsync(async () => (down = await ControlPlaneDiagnoser.DiagnoseAsync(client, CancellationToken.None)).Components[0].Pods.Count == 2,
            TimeSpan.FromSeconds(30), "the scheduler's replacement pods");
        var scheduler = down.Components.Single(c => c.Name == Scheduler.Name);
        Assert.Equal((Verdict.Down, Verdict.Down), (down.Overall, scheduler.Verdict));
        Assert.All(scheduler.Pods, p => Assert.Equal((null, "Pending", false), (p.Node, p.Phase, p.Live)));
        Assert.True(scheduler.Pending is { Count: 2, More: false, OldestAgeSeconds: >= 0 }, $"{scheduler.Pending}");
        Assert.StartsWith("kube-system/kube-scheduler-", scheduler.Pending.OldestPod);
        Assert.Contains("2 pods Pending with no node: nothing schedules them, as only a running scheduler places its successors", scheduler.Summary);
        Assert.Equal("kube-rescue recover scheduler", scheduler.NextStep);
    }

    [Fact]
    public async Task A_bad_flag_rollout_is_down_with_the_current_revision_crash_looping_and_names_the_last_good_revision()
    {
        await using var cluster = await StartLabAsync();
        using var client = new k8s.Kubernetes(cluster.Api.ClientConfiguration());
        await BadFlagFault.RunAsync(client, [Scheduler.Name], Poll, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(60), _ => { }, CancellationToken.None);

        // A crash loop runs for a moment between back-offs; the verdict is read when the pods show the loop.
        ComponentStatus status = null!;
        await Wait.UntilAsync(async () => (status = await ControlPlaneDiagnoser.DiagnoseAsync(client, Scheduler, CancellationToken.None)).Verdict == Verdict.Down,
            TimeSpan.FromSeconds(30), "the scheduler down");
        Assert.Equal("2", status.Workload!.Revision);
        var crashing = status.Pods.Where(p => p.CrashLooping).ToList();
        Assert.NotEmpty(crashing);
        Assert.All(crashing, p => Assert.Equal(("2", false), (p.Revision, p.Live)));
        Assert.All(crashing, p => Assert.True(p.Restarts >= 1 && p.Reason is "CrashLoopBackOff" or "Error", $"{p}"));
        Assert.Contains("at revision 2, the current one, while an older revision exists", status.Summary);
        Assert.Equal("kube-rescue recover scheduler --source last-good", status.NextStep);
    }
}
