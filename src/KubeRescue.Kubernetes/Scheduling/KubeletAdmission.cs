using k8s.Models;

namespace KubeRescue.Kubernetes.Scheduling;

/// <summary>Why a kubelet refuses a pod: the predicate (or <c>OutOf&lt;resource&gt;</c>) and its message.</summary>
public sealed record AdmissionFailure(string Reason, string Message)
{
    public const string NodeAffinity = "NodeAffinity";
    public const string NodeName = "NodeName";
    public const string NodePorts = "NodePorts";
    public const string TaintToleration = "TaintToleration";

    public const string NodeAffinityReason = "node(s) didn't match Pod's node affinity/selector";
    public const string NodeNameReason = "node(s) didn't match the requested node name";
    public const string NodePortsReason = "node(s) didn't have free ports for the requested pod ports";
    public const string TaintReason = "node(s) had taints that the pod didn't tolerate";

    static AdmissionFailure Predicate(string name, string reason) => new(name, $"Predicate {name} failed: {reason}");

    internal static AdmissionFailure Of(InsufficientResource r) => new(r.AdmissionReason, r.Message);
    internal static readonly AdmissionFailure AffinityMismatch = Predicate(NodeAffinity, NodeAffinityReason);
    internal static readonly AdmissionFailure NameMismatch = Predicate(NodeName, NodeNameReason);
    internal static readonly AdmissionFailure PortsTaken = Predicate(NodePorts, NodePortsReason);
    internal static readonly AdmissionFailure Untolerated = Predicate(TaintToleration, TaintReason);
}

/// <summary>
/// The kubelet's own admission of a pod bound to its node (pkg/kubelet/lifecycle/predicate.go: the scheduler's
/// AdmissionCheck, then NoExecute taints): what stands between a pod with spec.nodeName, which no scheduler
/// checked, and running. NoSchedule taints, cordons and inter-pod affinity are the scheduler's, not checked here.
/// </summary>
public static class KubeletAdmission
{
    const string ConfigSourceAnnotation = "kubernetes.io/config.source";

    /// <summary>
    /// Every reason the kubelet of <paramref name="node"/> would refuse <paramref name="pod"/>, in its order
    /// (resources, node affinity, node name, host ports, NoExecute taints); it reports the first.
    /// </summary>
    /// <param name="others">the pods already admitted to the node and still active</param>
    /// <param name="checkNodeName">false to judge the node whatever node the pod names (choosing one)</param>
    public static IReadOnlyList<AdmissionFailure> Check(V1Pod pod, V1Node node, IReadOnlyCollection<V1Pod> others, bool checkNodeName = true)
    {
        var failures = new List<AdmissionFailure>();
        var allocatable = PodResources.Of(node.Status?.Allocatable);
        var request = PodResources.Requests(pod.Spec);
        // The kubelet drops requests of extended resources its node does not advertise before it checks.
        foreach (var name in request.Keys.Where(n => IsExtended(n) && !allocatable.ContainsKey(n)).ToList()) request.Remove(name);
        foreach (var lacking in NodeResources.Insufficient(request, allocatable, NodeResources.Requested(others), others.Count))
            failures.Add(AdmissionFailure.Of(lacking));
        if (!NodeAffinity.MatchesRequired(pod.Spec, node)) failures.Add(AdmissionFailure.AffinityMismatch);
        if (checkNodeName && !string.IsNullOrEmpty(pod.Spec.NodeName) && pod.Spec.NodeName != node.Metadata?.Name) failures.Add(AdmissionFailure.NameMismatch);
        if (!HostPorts.Fit(pod.Spec, others)) failures.Add(AdmissionFailure.PortsTaken);
        // Static pods are exempt: their kubelet runs them whatever the node's taints.
        if (!IsStatic(pod) && Taints.Untolerated(node.Spec?.Taints, pod.Spec.Tolerations, Taints.NoExecute).Any())
            failures.Add(AdmissionFailure.Untolerated);
        return failures;
    }

    /// <summary>types.IsStaticPod: the pod came from a source other than the API server (a manifest file or URL).</summary>
    public static bool IsStatic(V1Pod pod) =>
        pod.Metadata?.Annotations?.TryGetValue(ConfigSourceAnnotation, out var source) == true && source != "api";

    /// <summary>IsExtendedResourceName: a domain-qualified name outside kubernetes.io, such as <c>example.com/gpu</c>.</summary>
    static bool IsExtended(string name) =>
        name.Contains('/') && !name.Contains("kubernetes.io/", StringComparison.Ordinal) && !name.StartsWith("requests.", StringComparison.Ordinal);
}
