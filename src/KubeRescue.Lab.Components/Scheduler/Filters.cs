using KubeRescue.Lab.Components;
using k8s.Models;

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
    public const string TaintNodeUnschedulable = "node.kubernetes.io/unschedulable";

    public static NodeStatus? Run(V1Pod pod, Dictionary<string, long> podRequest, NodeInfo node, InterPodAffinity interPod) =>
        NodeUnschedulable(pod, node)
        ?? NodeName(pod, node)
        ?? TaintToleration(pod, node)
        ?? NodeAffinity(pod, node)
        ?? NodePorts(pod, node)
        ?? NodeResourcesFit(pod, podRequest, node)
        ?? interPod.Filter(node);

    static NodeStatus? NodeUnschedulable(V1Pod pod, NodeInfo node)
    {
        if (node.Node.Spec?.Unschedulable != true) return null;
        var taint = new V1Taint { Key = TaintNodeUnschedulable, Effect = "NoSchedule" };
        return NodeMatching.Tolerates(pod.Spec.Tolerations, taint) ? null : NodeStatus.UnschedulableAndUnresolvable("node(s) were unschedulable");
    }

    static NodeStatus? NodeName(V1Pod pod, NodeInfo node) =>
        string.IsNullOrEmpty(pod.Spec.NodeName) || pod.Spec.NodeName == node.Name
            ? null
            : NodeStatus.UnschedulableAndUnresolvable("node(s) didn't match the requested node name");

    static NodeStatus? TaintToleration(V1Pod pod, NodeInfo node)
    {
        var taint = node.Node.Spec?.Taints?.FirstOrDefault(t => t.Effect is "NoSchedule" or "NoExecute" && !NodeMatching.Tolerates(pod.Spec.Tolerations, t));
        return taint is null ? null : NodeStatus.UnschedulableAndUnresolvable($"node(s) had untolerated taint {{{taint.Key}: {taint.Value}}}");
    }

    static NodeStatus? NodeAffinity(V1Pod pod, NodeInfo node) =>
        NodeMatching.Matches(pod.Spec, node.Node) ? null : NodeStatus.UnschedulableAndUnresolvable("node(s) didn't match Pod's node affinity/selector");

    static NodeStatus? NodePorts(V1Pod pod, NodeInfo node)
    {
        var wanted = HostPorts(pod).ToList();
        if (wanted.Count == 0) return null;
        var used = node.Pods.SelectMany(HostPorts).ToList();
        var conflict = wanted.Any(w => used.Any(u => u.Port == w.Port && u.Protocol == w.Protocol
            && (u.Ip == "0.0.0.0" || w.Ip == "0.0.0.0" || u.Ip == w.Ip)));
        return conflict ? NodeStatus.Unschedulable("node(s) didn't have free ports for the requested pod ports") : null;
    }

    static IEnumerable<(int Port, string Protocol, string Ip)> HostPorts(V1Pod pod) =>
        (pod.Spec.Containers ?? []).SelectMany(c => c.Ports ?? [])
            .Where(p => p.HostPort is > 0)
            .Select(p => (p.HostPort!.Value, p.Protocol ?? "TCP", string.IsNullOrEmpty(p.HostIP) ? "0.0.0.0" : p.HostIP));

    /// <summary>Pods, then cpu, memory and the other resources against allocatable minus what the node's pods request.</summary>
    static NodeStatus? NodeResourcesFit(V1Pod pod, Dictionary<string, long> request, NodeInfo node)
    {
        var reasons = new List<string>();
        if (node.Pods.Count + 1 > node.Allocatable.GetValueOrDefault(Resources.Pods)) reasons.Add("Too many pods");
        var order = request.Keys.OrderBy(k => k switch { Resources.Cpu => 0, Resources.Memory => 1, "ephemeral-storage" => 2, _ => 3 }).ThenBy(k => k, StringComparer.Ordinal);
        foreach (var name in order)
        {
            var want = request[name];
            if (want <= 0) continue;
            if (want > node.Allocatable.GetValueOrDefault(name) - node.Requested.GetValueOrDefault(name)) reasons.Add($"Insufficient {name}");
        }
        return reasons.Count == 0 ? null : new NodeStatus(false, reasons);
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
            ? list.Contains(ns) || IsEmpty(term.NamespaceSelector)
            : term.NamespaceSelector is null ? ns == owner.Metadata.NamespaceProperty : IsEmpty(term.NamespaceSelector);
        return inNamespace && Selects(term.LabelSelector, candidate.Metadata.Labels);
    }

    static bool IsEmpty(V1LabelSelector? s) => s is not null && s.MatchLabels is not { Count: > 0 } && s.MatchExpressions is not { Count: > 0 };

    /// <summary>A label selector: null selects nothing, empty selects everything.</summary>
    public static bool Selects(V1LabelSelector? selector, IDictionary<string, string>? labels)
    {
        if (selector is null) return false;
        labels ??= new Dictionary<string, string>();
        foreach (var (key, value) in selector.MatchLabels ?? new Dictionary<string, string>())
            if (!labels.TryGetValue(key, out var have) || have != value) return false;
        foreach (var e in selector.MatchExpressions ?? [])
        {
            var has = labels.TryGetValue(e.Key, out var have);
            var ok = e.OperatorProperty switch
            {
                "In" => has && (e.Values ?? []).Contains(have!),
                "NotIn" => !has || !(e.Values ?? []).Contains(have!),
                "Exists" => has,
                "DoesNotExist" => !has,
                _ => false,
            };
            if (!ok) return false;
        }
        return true;
    }
}
