using k8s.Models;
using KubeRescue.Kubernetes.Scheduling;
using KubeRescue.Placement;

namespace KubeRescue.Rendering;

/// <summary>
/// The rescue pod: the source's pod template as a bare Pod pinned to a node, as the Tectonic procedure makes it
/// (kind Pod, name <c>&lt;component&gt;-rescue</c>, nodeName, service account <c>default</c>, no nodeSelector, none
/// of the template's labels so that no ReplicaSet adopts it), and what the pitfalls need (docs/render.md). Pure.
/// </summary>
public static class RescuePodRenderer
{
    /// <summary>
    /// Template annotations the rescue pod does not carry: a rollout's restart marker, kubectl's applied copy, a
    /// static pod's kubelet bookkeeping, the pod-checkpointer's opt-in (bootkube's checkpointer starts a checkpoint
    /// of a parent pod that stops running until the API server tells it the pod is gone: a deleted rescue pod could
    /// come back as a local static pod), and kube-rescue's own (set afresh).
    /// </summary>
    static readonly string[] DroppedAnnotations =
    [
        "kubectl.kubernetes.io/restartedAt",
        "kubectl.kubernetes.io/last-applied-configuration",
        "checkpointer.alpha.coreos.com/checkpoint",
        "checkpointer.alpha.coreos.com/checkpoint-of",
        .. RescueSources.MirrorAnnotations,
    ];

    static readonly string[] DroppedAnnotationPrefixes = ["deployment.kubernetes.io/", "kube-rescue.io/"];

    /// <summary>The rescue pod for <paramref name="node"/>: pinned there, tolerating its NoExecute taints.</summary>
    public static V1Pod Render(ControlPlaneComponent component, RescueSource source, V1Node node)
    {
        var pod = Draft(component, source);
        pod.Spec.NodeName = node.Metadata.Name;
        // The kubelet refuses a pod that does not tolerate a NoExecute taint of its node (and would evict it later).
        var missing = Taints.Untolerated(node.Spec?.Taints, pod.Spec.Tolerations, Taints.NoExecute)
            .Select(t => new V1Toleration { Key = t.Key, OperatorProperty = "Exists", Effect = Taints.NoExecute })
            .DistinctBy(t => t.Key)
            .ToList();
        if (missing.Count > 0) pod.Spec.Tolerations = [.. pod.Spec.Tolerations ?? [], .. missing];
        return pod;
    }

    /// <summary>
    /// The rescue pod before a node is chosen: no nodeName, only the template's own tolerations. This is what
    /// <see cref="MasterPlacement.RankAsync"/> judges when nothing is chosen yet, so that a master is preferred whose
    /// NoExecute taints (unreachable, not-ready, a drain) do not have to be overridden.
    /// </summary>
    public static V1Pod Draft(ControlPlaneComponent component, RescueSource source)
    {
        var spec = KubeObjects.Copy(source.Template.Spec);
        spec.NodeName = null;
        spec.NodeSelector = null;
        spec.Affinity = WithoutPlacementRules(spec.Affinity);
        // Before 1.24 a pod of a service account whose token the (lost) controller-manager has not made yet is refused.
        spec.ServiceAccountName = "default";
        spec.ServiceAccount = "default";
        spec.RestartPolicy = "Always";
        // The Priority admission plugin computes these from priorityClassName and refuses a pod that states others.
        spec.Priority = null;
        spec.PreemptionPolicy = null;
        // Refused on create with nodeName set (schedulingGates), or on create at all (ephemeral containers).
        spec.SchedulingGates = null;
        spec.EphemeralContainers = null;

        var annotations = (source.Template.Metadata?.Annotations ?? new Dictionary<string, string>())
            .Where(a => !DroppedAnnotations.Contains(a.Key) && !DroppedAnnotationPrefixes.Any(p => a.Key.StartsWith(p, StringComparison.Ordinal)))
            .ToDictionary(a => a.Key, a => a.Value, StringComparer.Ordinal);
        annotations[RescueMetadata.SourceAnnotation] = source.Description;
        if (source.Revision is { } revision) annotations[RescueMetadata.RevisionAnnotation] = revision;

        return new V1Pod
        {
            ApiVersion = "v1",
            Kind = "Pod",
            Metadata = new V1ObjectMeta
            {
                Name = component.RescuePodName,
                NamespaceProperty = component.Namespace,
                Labels = new Dictionary<string, string> { [RescueMetadata.ComponentLabel] = component.Name },
                Annotations = annotations,
            },
            Spec = spec,
        };
    }

    /// <summary>
    /// Required node affinity goes with the nodeSelector: it only repeats "a master", and would make the kubelet refuse
    /// the pod where the labels drifted. Pod anti-affinity goes too: the kubelet ignores it, but the scheduler honours
    /// an existing pod's anti-affinity, so the rescue pod would repel the very replicas it is there to bring back.
    /// Preferred node affinity and pod affinity stay: they are harmless to a pod that is not scheduled.
    /// </summary>
    static V1Affinity? WithoutPlacementRules(V1Affinity? affinity)
    {
        if (affinity is null) return null;
        affinity.PodAntiAffinity = null;
        if (affinity.NodeAffinity is { } node)
        {
            node.RequiredDuringSchedulingIgnoredDuringExecution = null;
            if (node.PreferredDuringSchedulingIgnoredDuringExecution is not { Count: > 0 }) affinity.NodeAffinity = null;
        }
        return affinity.NodeAffinity is null && affinity.PodAffinity is null ? null : affinity;
    }
}
