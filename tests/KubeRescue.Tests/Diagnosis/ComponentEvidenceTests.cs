using k8s.Models;
using KubeRescue.Diagnosis;
using static KubeRescue.Tests.Diagnosis.Objects;

namespace KubeRescue.Tests.Diagnosis;

/// <summary>From what the API returned to evidence: pods, lease holder, revisions, short ReplicaSets, the backlog.</summary>
public class ComponentEvidenceTests
{
    static readonly ControlPlaneComponent Scheduler = ControlPlaneComponent.Scheduler;

    static ComponentReading Reading(params V1Pod[] pods) => new(Scheduler)
    {
        Deployment = Deployment(),
        ReplicaSets = [ReplicaSet("kube-scheduler-aaa", "uid-kube-scheduler", "1")],
        Pods = pods,
    };

    [Fact]
    public void A_modern_identity_names_the_holder_pod_and_the_lease_is_timed_on_the_given_clock()
    {
        var reading = Reading(Pod("kube-scheduler-aaa-1", owner: "kube-scheduler-aaa"), Pod("kube-scheduler-aaa-2", "master-2", owner: "kube-scheduler-aaa"))
            with { Leader = Lease("kube-scheduler-aaa-2_6f1c0e2a-93c4-4c4b-9a34-0d6f1f3e2b11", secondsAgo: 4) };
        var e = ComponentEvidence.From(reading, Now);

        Assert.Equal(new LeaseEvidence("kube-scheduler-aaa-2_6f1c0e2a-93c4-4c4b-9a34-0d6f1f3e2b11", Now.AddSeconds(-4), 15, 4, false,
            "kube-scheduler-aaa-2", HolderIsLivePod: true, HolderIsRescue: false), e.Lease);
        Assert.True(e.Lease!.Held);
        Assert.Equal(new WorkloadEvidence("Deployment", "kube-scheduler", 2, 2, 2, "1"), e.Workload);
        Assert.All(e.Pods, p => Assert.True(p.Live && p.Revision == "1" && !p.IsRescue));
    }

    [Theory]
    [InlineData(15, false)]
    [InlineData(15.5, true)]
    public void The_lease_expires_once_more_than_its_duration_has_passed_since_renewal(double secondsAgo, bool expired)
    {
        var e = ComponentEvidence.From(Reading(Pod("a", owner: "kube-scheduler-aaa")) with { Leader = Lease("a_1", secondsAgo) }, Now);
        Assert.Equal(expired, e.Lease!.Expired);
        Assert.Equal(!expired, e.Lease.HolderIsLivePod && e.Lease.Held);
        Assert.Equal(secondsAgo, e.Lease.SecondsSinceRenewal);
    }

    [Fact]
    public void An_old_bare_hostname_names_a_host_network_pod_by_its_node()
    {
        var reading = Reading(Pod("kube-scheduler-aaa-1", "master-1", owner: "kube-scheduler-aaa", hostNetwork: true),
            Pod("kube-scheduler-aaa-2", "master-2", owner: "kube-scheduler-aaa", hostNetwork: true)) with { Leader = Lease("master-2") };
        Assert.Equal("kube-scheduler-aaa-2", ComponentEvidence.From(reading, Now).Lease!.HolderPod);
    }

    [Fact]
    public void A_holder_that_is_no_pod_of_the_component_is_not_a_live_holder()
    {
        var e = ComponentEvidence.From(Reading(Pod("kube-scheduler-aaa-1", owner: "kube-scheduler-aaa")) with { Leader = Lease("bootstrap-scheduler_9") }, Now);
        Assert.Null(e.Lease!.HolderPod);
        Assert.False(e.Lease.HolderIsLivePod);
        Assert.True(e.Lease.Held);
    }

    [Fact]
    public void A_pod_on_a_NotReady_node_is_live_only_while_its_fresh_lease_proves_it()
    {
        var reading = Reading(Pod("a", "master-1", owner: "kube-scheduler-aaa"), Pod("b", "master-1", owner: "kube-scheduler-aaa"), Pod("c", "master-2", owner: "kube-scheduler-aaa"))
            with { NodeReady = new Dictionary<string, bool> { ["master-1"] = false, ["master-2"] = true } };

        var held = ComponentEvidence.From(reading with { Leader = Lease("a_1") }, Now);
        Assert.Equal([true, false, true], held.Pods.Select(p => p.Live));
        Assert.Equal([null, "NodeNotReady", null], held.Pods.Select(p => p.Reason));

        var expired = ComponentEvidence.From(reading with { Leader = Lease("a_1", secondsAgo: 60) }, Now);
        Assert.Equal([false, false, true], expired.Pods.Select(p => p.Live));
        Assert.False(expired.Lease!.HolderIsLivePod);
    }

    [Fact]
    public void Crash_loops_are_read_from_the_containers_and_a_crashing_pod_is_not_live()
    {
        var e = ComponentEvidence.From(Reading(
            Pod("backoff", owner: "kube-scheduler-aaa", ready: false, restarts: 4, waiting: "CrashLoopBackOff"),
            Pod("exited", owner: "kube-scheduler-aaa", ready: false, restarts: 2, exitCode: 1),
            Pod("pulling", owner: "kube-scheduler-aaa", ready: false, waiting: "ImagePullBackOff"),
            Pod("running", owner: "kube-scheduler-aaa", restarts: 3)), Now);
        Assert.Equal([true, true, false, false], e.Pods.Select(p => p.CrashLooping));
        Assert.Equal(["CrashLoopBackOff", "Error", "ImagePullBackOff", null], e.Pods.Select(p => p.Reason));
        Assert.Equal([4, 2, 0, 3], e.Pods.Select(p => p.Restarts));
        Assert.Equal([false, false, false, true], e.Pods.Select(p => p.Live));
    }

    [Fact]
    public void Replica_sets_are_counted_by_their_pods_not_by_their_stale_status()
    {
        var reading = new ComponentReading(ControlPlaneComponent.ControllerManager)
        {
            Deployment = Deployment("kube-controller-manager", available: 2),
            ReplicaSets =
            [
                ReplicaSet("kube-controller-manager-new", "uid-kube-controller-manager", "2", replicas: 2, reported: 2),
                ReplicaSet("kube-controller-manager-old", "uid-kube-controller-manager", "1", replicas: 0, reported: 0),
                ReplicaSet("someone-elses", "uid-other", "7"),
            ],
            Pods = [Pod("kube-controller-manager-new-1", owner: "kube-controller-manager-new", deleting: true)],
        };
        var e = ComponentEvidence.From(reading, Now);

        Assert.Equal([new ReplicaSetEvidence("kube-controller-manager-new", 2, 0, "2") { ReportedReplicas = 2 },
            new ReplicaSetEvidence("kube-controller-manager-old", 0, 0, "1") { ReportedReplicas = 0 }], e.ReplicaSets);
        Assert.Equal(new WorkloadEvidence("Deployment", "kube-controller-manager", 2, 0, 2, "1"), e.Workload);
        Assert.Equal("Terminating", e.Pods.Single().Reason);
    }

    [Fact]
    public void The_rescue_pod_is_marked_with_its_source_revision_and_never_counts_as_the_workload_s()
    {
        var e = ComponentEvidence.From(Reading(Pod("kube-scheduler-aaa-1", owner: "kube-scheduler-aaa"), Rescue("kube-scheduler", revision: "1"))
            with { Leader = Lease("kube-scheduler-rescue_1") }, Now);
        var rescue = e.Pods.Single(p => p.IsRescue);
        Assert.Equal(("kube-scheduler-rescue", "1"), (rescue.Name, rescue.Revision));
        Assert.True(e.Lease!.HolderIsRescue && e.Lease.HolderIsLivePod);
        Assert.Equal(1, e.Workload!.ReadyPods);
    }

    [Fact]
    public void Mirror_pods_make_a_static_pod_workload_and_DaemonSet_pods_carry_their_revision_hash()
    {
        var mirror = new Dictionary<string, string> { [ComponentEvidence.MirrorAnnotation] = "abc" };
        var kubeadm = ComponentEvidence.From(new ComponentReading(Scheduler)
        {
            Pods = [Pod("kube-scheduler-master-1", annotations: mirror, hostNetwork: true), Pod("kube-scheduler-master-2", "master-2", annotations: mirror, hostNetwork: true, ready: false)],
        }, Now);
        Assert.Equal(new WorkloadEvidence("StaticPod", "kube-scheduler", 2, 1, null, null), kubeadm.Workload);

        var talos = ComponentEvidence.From(new ComponentReading(Scheduler)
        {
            DaemonSet = new V1DaemonSet { Metadata = new() { Name = "kube-scheduler", Generation = 3 }, Status = new() { DesiredNumberScheduled = 3, NumberAvailable = 3 } },
            Pods = [Pod("kube-scheduler-x1", labels: new Dictionary<string, string> { ["controller-revision-hash"] = "5f7d" })],
        }, Now);
        Assert.Equal(new WorkloadEvidence("DaemonSet", "kube-scheduler", 3, 1, 3, "3"), talos.Workload);
        Assert.Equal("5f7d", talos.Pods.Single().Revision);

        Assert.Null(ComponentEvidence.From(new ComponentReading(Scheduler), Now).Workload);
    }

    [Fact]
    public void An_unscheduled_pod_shows_why_the_scheduler_left_it()
    {
        var e = ComponentEvidence.From(Reading(Pod("p", node: null, phase: "Pending", ready: false, owner: "kube-scheduler-aaa", scheduledReason: "Unschedulable")), Now);
        Assert.Equal(("Pending", "Unschedulable", (string?)null), (e.Pods[0].Phase, e.Pods[0].Reason, e.Pods[0].Node));
    }

    [Fact]
    public void The_backlog_counts_default_scheduler_pods_adds_the_remaining_count_and_times_the_oldest()
    {
        var list = new V1PodList
        {
            Metadata = new() { RemainingItemCount = 700, ContinueProperty = "next" },
            Items =
            [
                Pod("web-1", node: null, phase: "Pending", ns: "default", created: Now.AddSeconds(-30)),
                Pod("web-0", node: null, phase: "Pending", ns: "default", created: Now.AddSeconds(-95), schedulerName: null),
                Pod("batch", node: null, phase: "Pending", ns: "jobs", created: Now.AddHours(-1), schedulerName: "volcano"),
            ],
        };
        Assert.Equal(new PendingEvidence(702, false, 95, "default/web-0"), ComponentEvidence.PendingFrom(list, Now));
        Assert.Equal(new PendingEvidence(2, true, 95, "default/web-0"), ComponentEvidence.PendingFrom(list with { Metadata = new() { ContinueProperty = "next" } }, Now));
        Assert.Equal(new PendingEvidence(0, false, 0, null), ComponentEvidence.PendingFrom(new V1PodList { Items = [], Metadata = new() }, Now));
    }
}
