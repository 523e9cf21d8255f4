using k8s.Models;
using KubeRescue.Rendering;

namespace KubeRescue.Tests.Rendering;

public class RevisionHistoryTests
{
    static V1ReplicaSet Set(long revision, int ready = 0, int available = 0) => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = $"kube-scheduler-r{revision}",
            Uid = $"uid-{revision}",
            Annotations = new Dictionary<string, string> { ["deployment.kubernetes.io/revision"] = revision.ToString() },
        },
        Status = new V1ReplicaSetStatus { Replicas = 2, ReadyReplicas = ready, AvailableReplicas = available },
    };

    static V1Pod Pod(V1ReplicaSet owner, string name, bool ready = false, V1ContainerStatus? status = null) => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = name,
            OwnerReferences = [new V1OwnerReference { Kind = "ReplicaSet", Name = owner.Metadata.Name, Uid = owner.Metadata.Uid, Controller = true }],
        },
        Status = new V1PodStatus
        {
            Phase = "Running",
            Conditions = [new V1PodCondition { Type = "Ready", Status = ready ? "True" : "False" }],
            ContainerStatuses = status is null ? null : [status],
        },
    };

    static V1ContainerStatus CrashLooping() => new()
    {
        Name = "kube-scheduler", RestartCount = 3,
        State = new V1ContainerState { Waiting = new V1ContainerStateWaiting { Reason = "CrashLoopBackOff" } },
        LastState = new V1ContainerState { Terminated = new V1ContainerStateTerminated { ExitCode = 1, Reason = "Error" } },
    };

    static V1ContainerStatus Running(int restarts = 0, int lastExit = 0, bool ready = true) => new()
    {
        Name = "kube-scheduler", RestartCount = restarts, Ready = ready,
        State = new V1ContainerState { Running = new V1ContainerStateRunning() },
        LastState = restarts == 0 ? new V1ContainerState() : new V1ContainerState { Terminated = new V1ContainerStateTerminated { ExitCode = lastExit, Reason = lastExit == 0 ? "Completed" : "Error" } },
    };

    static V1ContainerStatus FirstExit() => new()
    {
        Name = "kube-scheduler", RestartCount = 0,
        State = new V1ContainerState { Terminated = new V1ContainerStateTerminated { ExitCode = 2, Reason = "Error" } },
    };

    [Fact]
    public void Revisions_come_newest_first_with_their_evidence()
    {
        var (r1, r2) = (Set(1, ready: 2, available: 2), Set(2));
        var history = RevisionHistory.Classify([r1, r2], [Pod(r2, "b-1", status: CrashLooping()), Pod(r1, "a-1", ready: true, status: Running())]);

        Assert.Equal([2L, 1L], history.Select(h => h.Revision));
        Assert.True(history[0].KnownBad);
        Assert.False(history[0].KnownGood);
        Assert.Equal(["pod b-1 container kube-scheduler waiting in CrashLoopBackOff, last exit 1 (Error)"], history[0].Evidence);
        Assert.True(history[1].KnownGood);
        Assert.Equal(["ReplicaSet kube-scheduler-r1 counts 2 ready, 2 available", "pod a-1 is Ready"], history[1].Evidence);
        Assert.Equal(1, RevisionHistory.LastGood(history)?.Revision);
    }

    [Fact]
    public void Crash_evidence_outweighs_a_ready_count_which_may_be_stale()
    {
        // The bad revision's pod was Ready for an instant before it crashed, and its ReplicaSet's status still says so.
        var (r1, r2) = (Set(1), Set(2, ready: 1));
        var history = RevisionHistory.Classify([r1, r2], [Pod(r2, "b-1", ready: true, status: CrashLooping())]);
        Assert.True(history[0].KnownBad);
        Assert.False(history[0].KnownGood);
        Assert.Equal(1, RevisionHistory.LastGood(history)?.Revision);
    }

    [Fact]
    public void Without_a_known_good_revision_the_newest_one_before_a_bad_one_is_taken()
    {
        // Revision 3 crashes; 2 and 1 left no evidence (scaled down, or their pods Pending with no scheduler).
        var (r1, r2, r3) = (Set(1), Set(2), Set(3));
        var history = RevisionHistory.Classify([r3, r1, r2], [Pod(r3, "c-1", status: FirstExit())]);
        Assert.Equal("unknown", history[1].Verdict);
        Assert.Equal(2, RevisionHistory.LastGood(history)?.Revision);
    }

    [Fact]
    public void A_bad_revision_in_between_is_skipped()
    {
        var (r1, r2, r3) = (Set(1), Set(2), Set(3));
        var history = RevisionHistory.Classify([r1, r2, r3], [Pod(r3, "c-1", status: CrashLooping()), Pod(r2, "b-1", status: Running(restarts: 4, lastExit: 255, ready: false))]);
        Assert.Equal(["bad", "bad", "unknown"], history.Select(h => h.Verdict));
        Assert.Equal(1, RevisionHistory.LastGood(history)?.Revision);
    }

    [Fact]
    public void A_container_Ready_again_after_a_failed_run_is_no_evidence_of_a_crash()
    {
        // As a controller-manager that lost its lease and exited 1 is, once restarted.
        var r1 = Set(1);
        var history = RevisionHistory.Classify([r1], [Pod(r1, "a-1", ready: true, status: Running(restarts: 1, lastExit: 1))]);
        Assert.Equal("good", Assert.Single(history).Verdict);
        history = RevisionHistory.Classify([r1], [Pod(r1, "a-1", status: Running(restarts: 1, lastExit: 1, ready: false))]);
        Assert.Equal(["pod a-1 container kube-scheduler restarted 1 times, last exit 1 (Error)"], Assert.Single(history).Evidence);
    }

    [Fact]
    public void A_pod_that_restarted_after_a_clean_exit_is_no_evidence_of_a_crash()
    {
        var r1 = Set(1);
        var history = RevisionHistory.Classify([r1], [Pod(r1, "a-1", ready: true, status: Running(restarts: 1, lastExit: 0))]);
        Assert.Equal("good", Assert.Single(history).Verdict);
    }

    [Fact]
    public void No_evidence_or_only_bad_revisions_give_no_last_good_one()
    {
        Assert.Null(RevisionHistory.LastGood(RevisionHistory.Classify([Set(1), Set(2)], [])));
        var r1 = Set(1);
        Assert.Null(RevisionHistory.LastGood(RevisionHistory.Classify([r1], [Pod(r1, "a-1", status: CrashLooping())])));
    }

    [Fact]
    public void Pods_count_for_the_ReplicaSet_that_controls_them_and_sets_without_a_revision_are_left_out()
    {
        var r1 = Set(1);
        var unnumbered = new V1ReplicaSet { Metadata = new V1ObjectMeta { Name = "adopted", Uid = "uid-x" } };
        var stranger = Pod(r1, "stranger", status: CrashLooping());
        stranger.Metadata.OwnerReferences[0].Controller = false;
        var history = RevisionHistory.Classify([r1, unnumbered], [stranger]);
        Assert.Equal("unknown", Assert.Single(history).Verdict);
    }
}
