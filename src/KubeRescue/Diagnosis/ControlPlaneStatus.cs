namespace KubeRescue.Diagnosis;

/// <summary>How a component, the API server, or the whole control plane stands; worse values compare greater.</summary>
public enum Verdict { Healthy, Degraded, Down }

/// <summary>One look at the control plane: a verdict per component with the evidence it rests on.</summary>
/// <param name="Overall">The worst of the components' and the API server's verdicts.</param>
public sealed record ControlPlaneStatus(
    DateTime ObservedAt,
    Verdict Overall,
    ApiServerHealth ApiServer,
    IReadOnlyList<ComponentStatus> Components,
    IReadOnlyList<DaemonSetEvidence> DaemonSets,
    IReadOnlyList<MasterEvidence> Masters);

/// <summary>
/// One component (<c>kube-scheduler</c>), judged from its pods and its Lease, never from its workload's own status,
/// which the controller-manager writes and which is stale once that is gone.
/// </summary>
/// <param name="Pending">Pods of the whole cluster waiting for a scheduler; on the scheduler only, null on the others.</param>
/// <param name="NextStep">A command or action to take, or <c>none</c>.</param>
public sealed record ComponentStatus(
    string Name,
    Verdict Verdict,
    string Summary,
    WorkloadEvidence? Workload,
    IReadOnlyList<PodEvidence> Pods,
    LeaseEvidence? Lease,
    PendingEvidence? Pending,
    IReadOnlyList<ReplicaSetEvidence> ShortReplicaSets,
    string NextStep);

/// <param name="Kind"><c>Deployment</c>, <c>DaemonSet</c> (Talos) or <c>StaticPod</c> (kubeadm's mirror pods).</param>
/// <param name="Desired">spec.replicas; a DaemonSet's desiredNumberScheduled; the number of mirror pods.</param>
/// <param name="ReadyPods">Live pods of the workload (not the rescue pod), counted from the pods themselves.</param>
/// <param name="ReportedAvailable">What the object's own status says; stale when the controller-manager is gone.</param>
/// <param name="Revision">A Deployment's <c>deployment.kubernetes.io/revision</c>, a DaemonSet's generation.</param>
public sealed record WorkloadEvidence(string Kind, string Name, int Desired, int ReadyPods, int? ReportedAvailable, string? Revision);

/// <param name="Reason">Why it is not simply running: a container's waiting or terminated reason
/// (<c>CrashLoopBackOff</c>, <c>Error</c>), the pod's own (<c>Evicted</c>, <c>NodeAffinity</c>), <c>Terminating</c>,
/// <c>Unschedulable</c>, or <c>NodeNotReady</c> for a pod whose node has stopped reporting.</param>
/// <param name="Ready">The pod's Ready condition is True.</param>
/// <param name="IsRescue">A kube-rescue rescue pod (label <c>kube-rescue.io/rescue</c>).</param>
/// <param name="Revision">The revision of the ReplicaSet it belongs to; a rescue pod's source revision; a DaemonSet
/// pod's controller-revision-hash.</param>
public sealed record PodEvidence(string Name, string? Node, string Phase, string? Reason, int Restarts, bool Ready, bool Terminating, bool IsRescue,
    string? Revision, DateTime? Created)
{
    /// <summary>A container waits in CrashLoopBackOff or has just exited non-zero and will be restarted.</summary>
    public bool CrashLooping { get; init; }

    /// <summary>Running, Ready, not terminating, not crash-looping, and on a node not known to be NotReady (unless the
    /// pod proves itself by holding the lease).</summary>
    public bool Live { get; init; }
}

/// <param name="Holder">holderIdentity, <c>&lt;hostname&gt;_&lt;uuid&gt;</c> or a bare hostname; null when released.</param>
/// <param name="Expired">now − renewTime &gt; leaseDurationSeconds (or either is missing).</param>
/// <param name="HolderPod">The pod whose hostname the identity names: the pod name, or the node name for hostNetwork pods.</param>
public sealed record LeaseEvidence(string? Holder, DateTime? RenewTime, int? DurationSeconds, double? SecondsSinceRenewal, bool Expired,
    string? HolderPod, bool HolderIsLivePod, bool HolderIsRescue)
{
    /// <summary>Where the record was read: <c>Lease</c>, or the pre-Lease <c>Endpoints</c> or <c>ConfigMap</c> annotation.</summary>
    public string Source { get; init; } = "Lease";

    /// <summary>Someone holds it and has renewed it in time.</summary>
    public bool Held => Holder is not null && !Expired;
}

/// <summary>Pods waiting for the default scheduler: Pending with no node.</summary>
/// <param name="Count">Pods in the first page of at most 500, plus the server's remainingItemCount when it gives one.</param>
/// <param name="More">The list continues and the server did not say how far (it gives no count for a filtered list).</param>
/// <param name="OldestPod"><c>namespace/name</c> of the oldest in the first page.</param>
public sealed record PendingEvidence(int Count, bool More, double OldestAgeSeconds, string? OldestPod);

/// <param name="Desired">spec.replicas.</param>
/// <param name="Actual">Its active pods found (not terminating, not finished).</param>
public sealed record ReplicaSetEvidence(string Name, int Desired, int Actual, string? Revision)
{
    /// <summary>status.replicas: what the controller-manager last wrote.</summary>
    public int? ReportedReplicas { get; init; }
}

/// <summary>A control-plane DaemonSet's own status (written by the controller-manager, so possibly stale).</summary>
public sealed record DaemonSetEvidence(string Name, int Desired, int Ready, int Available);

/// <param name="Taints"><c>key=value:Effect</c>, or <c>key:Effect</c> without a value, as kubectl prints them.</param>
public sealed record MasterEvidence(string Name, bool Ready, IReadOnlyList<string> Taints, bool Unschedulable);

/// <param name="Live">GET /livez answered 200 (or 401/403: this user may not ask, which says nothing of its health).</param>
/// <param name="Ready">GET /readyz likewise.</param>
/// <param name="Detail">The failed checks, the error, or why an endpoint was not asked; null when both answered 200.</param>
public sealed record ApiServerHealth(bool Live, bool Ready, string? Detail)
{
    public Verdict Verdict => !Live ? Verdict.Down : !Ready ? Verdict.Degraded : Verdict.Healthy;
}
