using k8s.Models;
using KubeRescue.Kubernetes.Scheduling;
using KubeRescue.Kubernetes.Selectors;

namespace KubeRescue.Lab.Components.Scheduler;

/// <summary>
/// How a node failed a filter, as the framework's Status: Unschedulable nodes are preemption candidates,
/// UnschedulableAndUnresolvable ones are not.
/// </summary>
sealed record NodeStatus(bool Unresolvable, IReadOnlyList<string> Reasons)
{
    public static NodeStatus Unschedulable(params string[] reasons) => new(false, reasons);
    public static NodeStatus UnschedulableAndUnresolvable(params string[] reasons) => new(true, reasons);
}

/// <summary>
/// The default profile's filter plugins, in the order the framework runs them, with upstream's reason strings
/// (v1.33). The first plugin that rejects a node decides its status.
/// </summary>
static class Filters
{
    /// <param name="affinity">the pod's node affinity, read once per scheduling attempt as PreFilter reads it</param>
    public static NodeStatus? Run(V1Pod pod, Dictionary<string, long> podRequest, NodeAffinity affinity, NodeInfo node, InterPodAffinity interPod) =>
        NodeUnschedulable(pod, node)
        ?? NodeName(pod, node)
        ?? TaintToleration(pod, node)
        ?? NodeAffinityFilter(affinity, node)
        ?? NodePorts(pod, node)
        ?? NodeResourcesFit(podRequest, node)
        ?? interPod.Filter(node);

    static NodeStatus? NodeUnschedulable(V1Pod pod, NodeInfo node)
    {
        if (node.Node.Spec?.Unschedulable != true) return null;
        var taint = new V1Taint { Key = Taints.Unschedulable, Effect = Taints.NoSchedule };
        return Taints.Tolerated(taint, pod.Spec.Tolerations) ? null : NodeStatus.UnschedulableAndUnresolvable("node(s) were unschedulable");
    }

    static NodeStatus? NodeName(V1Pod pod, NodeInfo node) =>
        string.IsNullOrEmpty(pod.Spec.NodeName) || pod.Spec.NodeName == node.Name
            ? null
            : NodeStatus.UnschedulableAndUnresolvable(AdmissionFailure.NodeNameReason);

    static NodeStatus? TaintToleration(V1Pod pod, NodeInfo node)
    {
        var taint = Taints.Untolerated(node.Node.Spec?.Taints, pod.Spec.Tolerations, Taints.NoSchedule, Taints.NoExecute).FirstOrDefault();
        return taint is null ? null : NodeStatus.UnschedulableAndUnresolvable($"node(s) had untolerated taint {{{taint.Key}: {taint.Value}}}");
    }

    static NodeStatus? NodeAffinityFilter(NodeAffinity affinity, NodeInfo node) =>
        affinity.Matches(node.Node) ? null : NodeStatus.UnschedulableAndUnresolvable(AdmissionFailure.NodeAffinityReason);

    static NodeStatus? NodePorts(V1Pod pod, NodeInfo node) =>
        HostPorts.Fit(pod.Spec, node.Pods) ? null : NodeStatus.Unschedulable(AdmissionFailure.NodePortsReason);

    /// <summary>Pods, then cpu, memory and the other resources against allocatable minus what the node's pods request.</summary>
    static NodeStatus? NodeResourcesFit(Dictionary<string, long> request, NodeInfo node)
    {
        var lacking = NodeResources.Insufficient(request, node.Allocatable, node.Requested, node.Pods.Count);
        return lacking.Count == 0 ? null : new NodeStatus(false, [.. lacking.Select(r => r.Reason)]);
    }
}

/// <summary>Pod (anti-)affinity terms: which pods a term, owned by one pod, selects.</summary>
static class PodTerms
{
    /// <summary>Whether <paramref name="candidate"/> is selected by <paramref name="term"/> of <paramref name="owner"/>.</summary>
    public static bool Matches(V1PodAffinityTerm term, V1Pod owner, V1Pod candidate)
    {
        var ns = candidate.Metadata.NamespaceProperty;
        // An empty namespaceSelector selects every namespace; a non-empty one needs namespace labels, which the
        // lab's scheduler does not watch, so only the listed namespaces count then.
        var inNamespace = term.Namespaces is { Count: > 0 } list
            ? list.Contains(ns) || LabelSelector.IsUnrestricted(term.NamespaceSelector)
            : term.NamespaceSelector is null ? ns == owner.Metadata.NamespaceProperty : LabelSelector.IsUnrestricted(term.NamespaceSelector);
        return inNamespace && LabelSelector.Matches(term.LabelSelector, candidate.Metadata.Labels);
    }
}
