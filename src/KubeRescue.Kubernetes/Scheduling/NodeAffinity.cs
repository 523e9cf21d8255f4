using k8s.Models;
using KubeRescue.Kubernetes.Selectors;

namespace KubeRescue.Kubernetes.Scheduling;

/// <summary>
/// A pod's node affinity as component-helpers' scheduling/corev1/nodeaffinity matches it: its nodeSelector and its
/// required node selector terms (terms ORed, a term's requirements ANDed; an empty term selects nothing), and the
/// weight of its preferred terms. A requirement upstream could not convert fails its term: an unknown operator, one
/// labels.NewRequirement refuses (the API server checks a requirement's key and value count, not its values), or
/// matchFields other than one value In or NotIn. Read once per pod (<see cref="Of"/>), as the scheduler's PreFilter
/// reads it, then matched against as many nodes as there are.
/// </summary>
public sealed class NodeAffinity
{
    readonly IDictionary<string, string>? _nodeSelector;
    // Null when the pod has no required node affinity; the terms that can match otherwise.
    readonly IReadOnlyList<V1NodeSelectorTerm>? _required;
    readonly IReadOnlyList<(int Weight, V1NodeSelectorTerm Term)> _preferred;

    NodeAffinity(V1PodSpec spec)
    {
        _nodeSelector = spec.NodeSelector;
        var affinity = spec.Affinity?.NodeAffinity;
        if (affinity?.RequiredDuringSchedulingIgnoredDuringExecution is { } required)
            _required = [.. (required.NodeSelectorTerms ?? []).Where(Usable)];
        _preferred = [.. (affinity?.PreferredDuringSchedulingIgnoredDuringExecution ?? [])
            .Where(p => p.Weight != 0 && p.Preference is { } term && Usable(term)).Select(p => (p.Weight, p.Preference))];
    }

    public static NodeAffinity Of(V1PodSpec spec) => new(spec);

    /// <summary>GetRequiredNodeAffinity(pod).Match(node), for a pod judged against one node.</summary>
    public static bool MatchesRequired(V1PodSpec spec, V1Node node) => Of(spec).Matches(node);

    /// <summary>The nodeSelector, then the required terms.</summary>
    public bool Matches(V1Node node)
    {
        var labels = node.Metadata?.Labels;
        foreach (var (key, value) in _nodeSelector ?? new Dictionary<string, string>())
            if (labels is null || !labels.TryGetValue(key, out var have) || have != value) return false;
        return _required is null || _required.Any(term => Holds(term, node));
    }

    /// <summary>PreferredSchedulingTerms.Score: the summed weights of the preferred terms the node matches.</summary>
    public long Score(V1Node node)
    {
        long score = 0;
        foreach (var (weight, term) in _preferred)
            if (Holds(term, node)) score += weight;
        return score;
    }

    /// <summary>A term that can select a node: not empty, and every requirement one upstream converts.</summary>
    static bool Usable(V1NodeSelectorTerm term)
    {
        if (term.MatchExpressions is not { Count: > 0 } && term.MatchFields is not { Count: > 0 }) return false;
        foreach (var e in term.MatchExpressions ?? [])
            if (LabelRequirement.OperatorNamed(e.OperatorProperty) is not { } op || !LabelSelector.IsValidRequirement(e.Key, op, e.Values)) return false;
        foreach (var f in term.MatchFields ?? [])
            if (f.Values is not [_] || f.OperatorProperty is not ("In" or "NotIn")) return false;
        return true;
    }

    /// <summary>
    /// A usable term: every label requirement holds on the node's labels, and every field requirement on its fields
    /// (metadata.name only; a node without a name has no fields, and they are then not checked).
    /// </summary>
    static bool Holds(V1NodeSelectorTerm term, V1Node node)
    {
        var labels = node.Metadata?.Labels;
        foreach (var e in term.MatchExpressions ?? [])
        {
            string? value = null;
            var has = labels is not null && labels.TryGetValue(e.Key, out value);
            if (!LabelRequirement.Holds(LabelRequirement.OperatorNamed(e.OperatorProperty)!.Value, e.Values, has, value)) return false;
        }
        var name = node.Metadata?.Name;
        if (string.IsNullOrEmpty(name)) return true;
        foreach (var f in term.MatchFields ?? [])
        {
            var field = f.Key == "metadata.name" ? name : "";
            if ((field == f.Values[0]) != (f.OperatorProperty == "In")) return false;
        }
        return true;
    }
}
