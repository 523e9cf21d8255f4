using KubeRescue.Diagnosis;

namespace KubeRescue.Recovery.Timeline;

public enum TimelineOutcome { Succeeded, Failed, Interrupted }

/// <summary>
/// One recovery as it happened, for a report read after the incident: its steps, every change the recorder saw of the
/// components' pods and Leases, and the status before and after. Plain data: names, phases, times, holders and
/// messages, never a Kubernetes object, a token or a Secret. All times are from the run's start.
/// </summary>
/// <param name="StartedAt">The run's start on this machine's clock, UTC.</param>
/// <param name="RecordedUntil">How far the pods and Leases were followed: <see cref="Duration"/>, unless the recorder
/// stopped early (an error, or its cap on changes); <see cref="Gaps"/> says why.</param>
/// <param name="Before">The recovered components as the plan diagnosed them.</param>
/// <param name="After">The control plane afterwards; null when it could not be read.</param>
/// <param name="Gaps">Why the record may miss something; empty when it is complete.</param>
public sealed record RecoveryTimeline(
    DateTime StartedAt,
    TimeSpan Duration,
    TimeSpan RecordedUntil,
    IReadOnlyList<string> Components,
    TimelineOutcome Outcome,
    string? Failure,
    IReadOnlyList<TimelineStep> Steps,
    IReadOnlyList<TimelineNote> Notes,
    IReadOnlyList<PodLane> Pods,
    IReadOnlyList<LeaseLane> Leases,
    IReadOnlyList<ComponentStatus> Before,
    ControlPlaneStatus? After,
    IReadOnlyList<string> Gaps)
{
    public bool Complete => Gaps.Count == 0;
}

public enum StepState
{
    /// <summary>An earlier step failed, or the run was interrupted first.</summary>
    NotRun,
    /// <summary>Started and never finished: the run was interrupted.</summary>
    Interrupted,
    Succeeded,
    Failed,
}

/// <summary>A step of the plan: when it ran (null when it did not) and what it said at the end.</summary>
public sealed record TimelineStep(string Name, string? Component, string Description, StepState State, TimeSpan? Started, TimeSpan? Ended, string? Outcome);

/// <summary>Something a step reported on the way (<see cref="RecoveryEventKind.Progress"/> or <see cref="RecoveryEventKind.Warning"/>).</summary>
public sealed record TimelineNote(TimeSpan At, RecoveryEventKind Kind, string Step, string? Component, string Message);

/// <summary>One pod's life while the recorder watched: consecutive intervals, one per state it was seen in.</summary>
/// <param name="Component">The component it belongs to (<c>kube-scheduler</c>).</param>
/// <param name="IsRescue">A rescue pod (label <c>kube-rescue.io/rescue</c>), not one of the workload's own.</param>
/// <param name="Gone">When it was seen deleted; null when it still existed at the end.</param>
public sealed record PodLane(string Namespace, string Name, string Component, bool IsRescue, IReadOnlyList<PodInterval> Intervals, TimeSpan? Gone);

/// <summary>How a pod looks over a stretch of time: what changes any of these starts a new interval.</summary>
/// <param name="Node">spec.nodeName; null while unscheduled.</param>
/// <param name="Crashing">A container waits in CrashLoopBackOff or has just exited non-zero.</param>
/// <param name="Reason">What kubectl's STATUS would show instead of the phase (<c>CrashLoopBackOff</c>,
/// <c>Unschedulable</c>, <c>NodeAffinity</c>), or null.</param>
/// <param name="Message">The scheduler's or kubelet's explanation (a rejection, "0/3 nodes are available"), or a
/// crash's exit code; never a container's own output.</param>
public sealed record PodInterval(TimeSpan From, TimeSpan To, string Phase, bool Ready, string? Node, int Restarts, bool Terminating, bool Crashing,
    string? Reason, string? Message)
{
    public PodLaneState State =>
        Terminating ? PodLaneState.Terminating
        // A control-plane pod that ended, even with success, is as down as one that failed.
        : Phase is "Failed" or "Succeeded" || Crashing ? PodLaneState.Failing
        : Phase == "Running" ? (Ready ? PodLaneState.Ready : PodLaneState.Running)
        : PodLaneState.Pending;
}

/// <summary>A pod's state as a report draws it.</summary>
public enum PodLaneState { Pending, Running, Ready, Failing, Terminating }

/// <summary>One leader-election record's holders over time.</summary>
/// <param name="Source"><c>Lease</c>, or the older <c>Endpoints</c> or <c>ConfigMap</c> annotation lock.</param>
public sealed record LeaseLane(string Namespace, string Name, string Component, string Source, IReadOnlyList<LeaseHolding> Holdings);

/// <param name="Holder">holderIdentity; null when nobody holds it (released, or no record yet).</param>
/// <param name="Expired">Not renewed within its duration (judged on this machine's clock, at least every second).</param>
/// <param name="HolderPod">The watched pod the identity names, when it names one.</param>
/// <param name="HolderIsRescue">That pod is a rescue pod.</param>
public sealed record LeaseHolding(TimeSpan From, TimeSpan To, string? Holder, bool Expired, string? HolderPod, bool HolderIsRescue);
