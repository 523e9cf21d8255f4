using System.Globalization;
using k8s.Models;

namespace KubeRescue.Diagnosis;

/// <summary>The evidence about one component that its verdict rests on, independent of how it was read.</summary>
/// <param name="ReplicaSets">All the Deployment's ReplicaSets (the short ones are reported; older revisions show a last good one).</param>
/// <param name="ControllerManagerLeads">A live controller-manager holds its lease: pods missing from a ReplicaSet will be created.</param>
public sealed record ComponentEvidence(ControlPlaneComponent Component, WorkloadEvidence? Workload, IReadOnlyList<PodEvidence> Pods, LeaseEvidence? Lease,
    PendingEvidence? Pending, IReadOnlyList<ReplicaSetEvidence> ReplicaSets, bool ControllerManagerLeads)
{
    public const string RevisionAnnotation = "deployment.kubernetes.io/revision";
    public const string MirrorAnnotation = "kubernetes.io/config.mirror";

    /// <summary>Evidence from what was read, as it stands at <paramref name="now"/> (UTC).</summary>
    public static ComponentEvidence From(ComponentReading reading, DateTime now)
    {
        var component = reading.Component;
        var pods = reading.Pods.DistinctBy(p => p.Metadata.Name).OrderBy(p => p.Metadata.Name, StringComparer.Ordinal).ToList();
        bool IsRescue(V1Pod p) => p.Metadata.Labels?.TryGetValue(RescueMetadata.ComponentLabel, out var v) == true && v == component.Name;

        var replicaSets = reading.Deployment is { } deployment
            ? reading.ReplicaSets.Where(rs => ControllerUid(rs.Metadata) == deployment.Metadata.Uid).ToList()
            : [];
        var revisions = replicaSets.ToDictionary(rs => rs.Metadata.Uid, rs => Annotation(rs.Metadata, RevisionAnnotation));
        string? RevisionOf(V1Pod p) =>
            IsRescue(p) ? Annotation(p.Metadata, RescueMetadata.RevisionAnnotation)
            : reading.DaemonSet is not null ? (p.Metadata.Labels?.TryGetValue("controller-revision-hash", out var hash) == true ? hash : null)
            : ControllerUid(p.Metadata) is { } owner && revisions.TryGetValue(owner, out var revision) ? revision : null;

        bool NodeNotReady(V1Pod p) => p.Spec.NodeName is { } node && reading.NodeReady.TryGetValue(node, out var ready) && !ready;
        // Live as far as the pod itself says; a pod on a node that stopped reporting may be stale, unless it holds the lease.
        var selfLive = pods.ToDictionary(p => p.Metadata.Name, p => p.Status?.Phase == "Running" && IsReady(p) && !IsTerminating(p) && !CrashLooping(p));
        var leader = reading.Leader;
        var held = leader?.HeldAt(now) == true;
        var holder = leader is null ? null : HolderPod(pods, leader, selfLive);
        bool Live(V1Pod p) => selfLive[p.Metadata.Name] && (!NodeNotReady(p) || (held && ReferenceEquals(p, holder)));

        var evidence = pods.Select(p => new PodEvidence(p.Metadata.Name, p.Spec.NodeName, p.Status?.Phase ?? "Unknown",
            Reason(p, staleOnNode: selfLive[p.Metadata.Name] && !Live(p)), p.Status?.ContainerStatuses?.Sum(s => s.RestartCount) ?? 0, IsReady(p), IsTerminating(p),
            IsRescue(p), RevisionOf(p), p.Metadata.CreationTimestamp)
        {
            CrashLooping = CrashLooping(p),
            Live = Live(p),
        }).ToList();

        LeaseEvidence? lease = leader is null ? null
            : new(leader.HolderIdentity, leader.RenewTime, leader.LeaseDurationSeconds, leader.RenewTime is { } renewed ? (now - renewed.ToUniversalTime()).TotalSeconds : null,
                leader.ExpiredAt(now), holder?.Metadata.Name, holder is not null && Live(holder), holder is not null && IsRescue(holder)) { Source = leader.Source };

        var readyPods = evidence.Count(p => p.Live && !p.IsRescue);
        var mirrors = pods.Count(p => !IsRescue(p) && p.Metadata.Annotations?.ContainsKey(MirrorAnnotation) == true);
        WorkloadEvidence? workload = (reading.Deployment, reading.DaemonSet) switch
        {
            ({ } d, _) => new("Deployment", d.Metadata.Name, d.Spec.Replicas ?? 1, readyPods, d.Status is null ? null : d.Status.AvailableReplicas ?? 0,
                Annotation(d.Metadata, RevisionAnnotation)),
            (_, { } ds) => new("DaemonSet", ds.Metadata.Name, ds.Status?.DesiredNumberScheduled ?? 0, readyPods, ds.Status is null ? null : ds.Status.NumberAvailable ?? 0,
                ds.Metadata.Generation?.ToString(CultureInfo.InvariantCulture)),
            _ when mirrors > 0 => new("StaticPod", component.Name, mirrors, readyPods, null, null),
            _ => null,
        };

        var sets = replicaSets.OrderBy(rs => rs.Metadata.Name, StringComparer.Ordinal).Select(rs => new ReplicaSetEvidence(rs.Metadata.Name, rs.Spec.Replicas ?? 1,
            pods.Count(p => ControllerUid(p.Metadata) == rs.Metadata.Uid && !IsTerminating(p) && p.Status?.Phase is not ("Succeeded" or "Failed")),
            revisions[rs.Metadata.Uid])
        {
            ReportedReplicas = rs.Status?.Replicas,
        }).ToList();

        var controllerManagerLeads = reading.ControllerManagerLeads ?? (lease is { Held: true, HolderIsLivePod: true });
        var pending = reading.Pending is { } list ? PendingFrom(list, now) : null;
        return new(component, workload, evidence, lease, pending, sets, controllerManagerLeads);
    }

    /// <summary>
    /// The scheduler's backlog from the first page of <c>spec.nodeName=,status.phase=Pending</c>: only pods for the
    /// default scheduler count; remainingItemCount, when the server gives it, adds the rest of the list.
    /// </summary>
    public static PendingEvidence PendingFrom(V1PodList list, DateTime now)
    {
        var waiting = list.Items.Where(p => p.Spec.SchedulerName is null or "" or "default-scheduler" && string.IsNullOrEmpty(p.Spec.NodeName)).ToList();
        var remaining = list.Metadata?.RemainingItemCount;
        var oldest = waiting.Where(p => p.Metadata.CreationTimestamp is not null).MinBy(p => p.Metadata.CreationTimestamp);
        return new(waiting.Count + (int)(remaining ?? 0), remaining is null && !string.IsNullOrEmpty(list.Metadata?.ContinueProperty),
            oldest is null ? 0 : Math.Max(0, (now - oldest.Metadata.CreationTimestamp!.Value.ToUniversalTime()).TotalSeconds),
            oldest is null ? null : $"{oldest.Metadata.NamespaceProperty}/{oldest.Metadata.Name}");
    }

    /// <summary>
    /// A container waits in CrashLoopBackOff, or has just exited non-zero and will be restarted. A crash loop's
    /// moments of running look like any running container; the next look will tell.
    /// </summary>
    public static bool CrashLooping(V1Pod pod) =>
        pod.Status?.ContainerStatuses?.Any(s => s.State?.Waiting?.Reason == "CrashLoopBackOff"
            || (s.State?.Terminated is { ExitCode: not 0 } && pod.Spec.RestartPolicy is null or "Always" or "OnFailure")) == true;

    static bool IsReady(V1Pod pod) => pod.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true;

    static bool IsTerminating(V1Pod pod) => pod.Metadata.DeletionTimestamp is not null;

    /// <summary>
    /// The pod the identity's hostname names: a pod's hostname is its name, a hostNetwork pod's is its node's. Two
    /// hostNetwork pods on one node share a hostname; the one that is live, then the oldest, is taken.
    /// </summary>
    static V1Pod? HolderPod(IReadOnlyList<V1Pod> pods, LeaderRecord leader, IReadOnlyDictionary<string, bool> live) =>
        pods.Where(leader.Names)
            .OrderByDescending(p => live[p.Metadata.Name]).ThenBy(p => p.Metadata.CreationTimestamp).FirstOrDefault();

    /// <summary>What kubectl's STATUS column would show instead of Running, the way its printer picks it.</summary>
    static string? Reason(V1Pod pod, bool staleOnNode)
    {
        if (IsTerminating(pod)) return "Terminating";
        if (!string.IsNullOrEmpty(pod.Status?.Reason)) return pod.Status.Reason;
        foreach (var s in pod.Status?.ContainerStatuses ?? [])
        {
            if (s.State?.Waiting?.Reason is { Length: > 0 } waiting) return waiting;
            if (s.State?.Terminated is { } terminated) return string.IsNullOrEmpty(terminated.Reason) ? $"ExitCode:{terminated.ExitCode}" : terminated.Reason;
        }
        if (string.IsNullOrEmpty(pod.Spec.NodeName))
            return pod.Status?.Conditions?.FirstOrDefault(c => c.Type == "PodScheduled" && c.Status == "False")?.Reason;
        return staleOnNode ? "NodeNotReady" : null;
    }

    static string? ControllerUid(V1ObjectMeta meta) => meta.OwnerReferences?.FirstOrDefault(o => o.Controller == true)?.Uid;

    static string? Annotation(V1ObjectMeta meta, string key) => meta.Annotations?.TryGetValue(key, out var value) == true ? value : null;
}
