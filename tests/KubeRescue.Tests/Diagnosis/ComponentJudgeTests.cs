using KubeRescue.Diagnosis;

namespace KubeRescue.Tests.Diagnosis;

/// <summary>The verdict rules on constructed evidence: no cluster, no clock.</summary>
public class ComponentJudgeTests
{
    static readonly ControlPlaneComponent Scheduler = ControlPlaneComponent.Scheduler;
    static readonly ControlPlaneComponent ControllerManager = ControlPlaneComponent.ControllerManager;

    static PodEvidence Pod(string name, bool live = true, string? node = "master-1", string phase = "Running", string? reason = null, int restarts = 0,
        bool rescue = false, string? revision = "1", bool crash = false, bool terminating = false) =>
        new(name, node, phase, reason, restarts, live, terminating, rescue, revision, null) { Live = live, CrashLooping = crash };

    static PodEvidence Crashing(string name, string node, int restarts, string revision = "1") =>
        Pod(name, live: false, node: node, reason: "CrashLoopBackOff", restarts: restarts, revision: revision, crash: true);

    static PodEvidence Unplaced(string name) => Pod(name, live: false, node: null, phase: "Pending");

    static LeaseEvidence Lease(string? holderPod, double since = 1, int duration = 15, bool live = true, bool rescue = false) =>
        new(holderPod is null ? null : $"{holderPod}_0b1c", null, duration, since, since > duration, holderPod, live && since <= duration, rescue);

    static WorkloadEvidence Workload(int ready, int desired = 2, int? reported = null, string revision = "1", string name = "kube-scheduler") =>
        new("Deployment", name, desired, ready, reported ?? ready, revision);

    static ComponentEvidence Evidence(WorkloadEvidence? workload, LeaseEvidence? lease, params PodEvidence[] pods) =>
        new(Scheduler, workload, pods, lease, null, [new ReplicaSetEvidence("kube-scheduler-aaa", 2, pods.Count(p => !p.IsRescue && !p.Terminating), "1")], true);

    [Fact]
    public void Healthy_is_a_live_leader_of_its_own_and_every_desired_pod_ready()
    {
        var status = ComponentJudge.Judge(Evidence(Workload(2), Lease("a"), Pod("a"), Pod("b", node: "master-2")));
        Assert.Equal(Verdict.Healthy, status.Verdict);
        Assert.Equal("none", status.NextStep);
        Assert.Equal("2/2 pods ready, a leads; lease held by a, renewed 1s ago of 15s", status.Summary);
        Assert.Empty(status.ShortReplicaSets);
    }

    [Fact]
    public void A_pod_short_of_the_desired_count_is_degraded_and_points_at_that_pod()
    {
        var status = ComponentJudge.Judge(Evidence(Workload(1), Lease("a"), Pod("a"), Pod("b", live: false, node: "master-3", reason: "NodeNotReady")));
        Assert.Equal(Verdict.Degraded, status.Verdict);
        Assert.Contains("not live: b on master-3 (NodeNotReady)", status.Summary);
        Assert.Equal("kubectl -n kube-system describe pod b", status.NextStep);
    }

    [Fact]
    public void A_crash_loop_beside_a_live_leader_is_degraded_and_the_next_step_reads_its_logs()
    {
        var status = ComponentJudge.Judge(Evidence(Workload(1), Lease("a"), Pod("a"), Crashing("b", "master-2", 4)));
        Assert.Equal(Verdict.Degraded, status.Verdict);
        Assert.StartsWith("1/2 pods ready, a leads; crash-looping: b on master-2 (CrashLoopBackOff, 4 restarts)", status.Summary);
        Assert.Equal("find why it crashes: kubectl -n kube-system logs b --previous", status.NextStep);
    }

    [Fact]
    public void The_rescue_pod_leading_is_a_recovery_in_progress()
    {
        var status = ComponentJudge.Judge(Evidence(Workload(0), Lease("kube-scheduler-rescue", rescue: true),
            Pod("kube-scheduler-rescue", rescue: true), Unplaced("a")));
        Assert.Equal(Verdict.Degraded, status.Verdict);
        Assert.StartsWith("the rescue pod kube-scheduler-rescue leads: a recovery is in progress (0/2 pods ready)", status.Summary);
        Assert.Equal("let the running recovery finish, or resume it: kube-rescue recover scheduler", status.NextStep);
    }

    [Fact]
    public void A_rescue_pod_left_beside_a_healthy_leader_still_wants_the_recovery_finished()
    {
        var status = ComponentJudge.Judge(Evidence(Workload(2), Lease("a"), Pod("a"), Pod("b"), Pod("kube-scheduler-rescue", rescue: true)));
        Assert.Equal(Verdict.Degraded, status.Verdict);
        Assert.Contains("rescue pod kube-scheduler-rescue is still there", status.Summary);
        Assert.Equal("finish the recovery, which removes the rescue pod: kube-rescue recover scheduler", status.NextStep);
    }

    [Theory]
    [InlineData(3.0, true)]     // held by a pod that is gone, not yet expired
    [InlineData(17.0, true)]    // expired 2s ago: candidates are waiting out the duration
    [InlineData(45.0, true)]
    [InlineData(46.0, false)]   // free for two more durations with live candidates: stuck
    public void Live_pods_without_a_leader_are_a_hand_over_until_the_lease_has_stayed_free_too_long(double since, bool handOver)
    {
        var status = ComponentJudge.Judge(Evidence(Workload(2), Lease("gone", since, live: false), Pod("a"), Pod("b")));
        Assert.Equal(Verdict.Degraded, status.Verdict);
        Assert.Equal(handOver ? "wait: the hand-over resolves within the lease duration (15s); then run kube-rescue status again"
            : "find why none takes the lease: kubectl -n kube-system logs a", status.NextStep);
    }

    [Fact]
    public void A_lease_still_held_by_a_pod_that_is_gone_is_a_hand_over()
    {
        var status = ComponentJudge.Judge(Evidence(Workload(2), new LeaseEvidence("old_1", null, 15, 5, false, null, false, false), Pod("a"), Pod("b")));
        Assert.Equal(Verdict.Degraded, status.Verdict);
        Assert.Contains("a hand-over is in progress", status.Summary);
        Assert.EndsWith("lease held by old_1, which is not a live pod, renewed 5s ago of 15s", status.Summary);
    }

    [Fact]
    public void A_scheduler_with_its_pods_Pending_and_no_node_is_down_and_the_next_step_is_a_rescue()
    {
        var evidence = Evidence(Workload(0, reported: 0), Lease(null, since: 40), Unplaced("a"), Unplaced("b")) with { Pending = new PendingEvidence(5, false, 40, "kube-system/a") };
        var status = ComponentJudge.Judge(evidence);
        Assert.Equal(Verdict.Down, status.Verdict);
        Assert.Equal("no live pod (0/2 pods ready); 2 pods Pending with no node: nothing schedules them, as only a running scheduler places its successors; "
            + "5 pods in the cluster wait for a scheduler, the oldest (kube-system/a) for 40s; lease released (40s ago)", status.Summary);
        Assert.Equal("kube-rescue recover scheduler", status.NextStep);
        Assert.Equal(5, status.Pending!.Count);
    }

    [Fact]
    public void A_controller_manager_with_no_pods_is_down_with_its_short_ReplicaSet_and_its_stale_status_beside()
    {
        var evidence = new ComponentEvidence(ControllerManager, Workload(0, reported: 2, name: "kube-controller-manager"), [], Lease("kube-controller-manager-aaa-1", since: 300),
            null, [new ReplicaSetEvidence("kube-controller-manager-aaa", 2, 0, "1") { ReportedReplicas = 2 }], ControllerManagerLeads: false);
        var status = ComponentJudge.Judge(evidence);
        Assert.Equal(Verdict.Down, status.Verdict);
        Assert.Equal("no live pod (0/2 pods ready); ReplicaSet kube-controller-manager-aaa has 0 of 2 pods and nothing creates them: creating them is the "
            + "controller-manager's own job; the Deployment reports 2 available, its pods say 0; lease of kube-controller-manager-aaa-1 expired 4m45s ago", status.Summary);
        Assert.Equal("kube-rescue recover controller-manager", status.NextStep);
        Assert.Equal("kube-controller-manager-aaa", Assert.Single(status.ShortReplicaSets).Name);
    }

    [Fact]
    public void Another_component_short_of_pods_says_no_controller_manager_creates_them()
    {
        var evidence = Evidence(Workload(1), Lease("a"), Pod("a")) with { ControllerManagerLeads = false };
        var status = ComponentJudge.Judge(evidence);
        Assert.Contains("ReplicaSet kube-scheduler-aaa has 1 of 2 pods and nothing creates them: no controller-manager leads", status.Summary);
        Assert.Equal("its pods wait for the controller-manager: see kube-controller-manager", status.NextStep);
    }

    [Theory]
    [InlineData("2", "2", "kube-rescue recover scheduler --source last-good")] // the current revision crashes, revision 1 ran before
    [InlineData("1", "1", "kube-rescue recover scheduler")]                    // nothing older to go back to
    [InlineData("2", "1", "kube-rescue recover scheduler")]                    // an old revision crashes: not the template's fault
    public void Crash_looping_pods_alone_are_down_and_last_good_is_named_when_the_current_revision_is_the_one_crashing(string current, string crashing, string next)
    {
        var evidence = new ComponentEvidence(Scheduler, Workload(0, revision: current), [Crashing("a", "master-1", 5, crashing), Crashing("b", "master-2", 5, crashing)],
            Lease(null, since: 60), null, current == "1" ? [new("rs1", 2, 2, "1")] : [new("rs1", 0, 0, "1"), new("rs2", 2, 2, "2")], true);
        var status = ComponentJudge.Judge(evidence);
        Assert.Equal(Verdict.Down, status.Verdict);
        Assert.Equal(next, status.NextStep);
        Assert.Contains("crash-looping: a on master-1 (CrashLoopBackOff, 5 restarts), b on master-2 (CrashLoopBackOff, 5 restarts)", status.Summary);
        Assert.Equal(next.EndsWith("last-good"), status.Summary.Contains("at revision 2, the current one, while an older revision exists"));
    }

    [Fact]
    public void Without_a_workload_or_with_none_wanted_the_next_step_says_what_to_fix_first()
    {
        var none = ComponentJudge.Judge(Evidence(null, null));
        Assert.Equal(Verdict.Down, none.Verdict);
        Assert.StartsWith("no Deployment, DaemonSet or static pod kube-scheduler in kube-system", none.Summary);
        Assert.Equal("find how kube-scheduler is deployed: there is no workload to copy a rescue pod from", none.NextStep);

        var scaled = ComponentJudge.Judge(Evidence(Workload(0, desired: 0), Lease(null, since: 600)));
        Assert.StartsWith("Deployment kube-scheduler is scaled to 0", scaled.Summary);
        Assert.Equal("kubectl -n kube-system scale deployment/kube-scheduler --replicas=2", scaled.NextStep);

        var unmatched = ComponentJudge.Judge(Evidence(new WorkloadEvidence("DaemonSet", "kube-scheduler", 0, 0, 0, "4"), null));
        Assert.StartsWith("DaemonSet kube-scheduler matches no node", unmatched.Summary);
        Assert.Equal("check DaemonSet kube-scheduler's nodeSelector against the masters' labels", unmatched.NextStep);
    }

    [Fact]
    public void A_rescue_pod_the_kubelet_rejected_is_shown_with_its_reason()
    {
        var status = ComponentJudge.Judge(Evidence(Workload(0), Lease(null, since: 60), Unplaced("a"),
            Pod("kube-scheduler-rescue", live: false, phase: "Failed", reason: "OutOfcpu", rescue: true)));
        Assert.Equal(Verdict.Down, status.Verdict);
        Assert.Contains("not live: kube-scheduler-rescue on master-1 (OutOfcpu)", status.Summary);
    }

    [Fact]
    public void Pods_Pending_beside_a_working_scheduler_are_reported_without_blaming_it()
    {
        var evidence = Evidence(Workload(2), Lease("a"), Pod("a"), Pod("b")) with { Pending = new PendingEvidence(3, true, 700, "default/big") };
        var status = ComponentJudge.Judge(evidence);
        Assert.Equal(Verdict.Healthy, status.Verdict);
        Assert.Contains("3+ pods in the cluster are Pending with no node, the oldest (default/big) for 11m", status.Summary);
    }

    [Fact]
    public void Live_pods_with_no_leader_election_record_at_all_are_degraded()
    {
        var status = ComponentJudge.Judge(Evidence(Workload(2), null, Pod("a"), Pod("b")));
        Assert.Equal(Verdict.Degraded, status.Verdict);
        Assert.EndsWith("no leader-election record (Lease, Endpoints or ConfigMap kube-system/kube-scheduler)", status.Summary);
    }
}
