using k8s.Models;
using KubeRescue.Kubernetes.Selectors;

namespace KubeRescue.Kubernetes.Scheduling;

/// <summary>
/// Node affinity as component-helpers' scheduling/corev1/nodeaffinity matches it: a pod's nodeSelector and its
/// required node selector terms (terms ORed, a term's requirements ANDed; an empty term selects nothing), and the
/// weight of its preferred terms. A requirement upstream could not convert fails its term: an unknown operator, one
/// labels.NewRequirement refuses (the API server checks a requirement's key and value count, not its values), or
/// matchFields other than one value In or NotIn.
/// </summary>
public static class NodeAffinity
{
    /// <summary>GetRequiredNodeAffinity(pod).Match(node): the nodeSelector, then the required terms.</summary>
    public static bool MatchesRequired(V1PodSpec spec, V1Node node)
    {
        var labels = node.Metadata?.Labels;
        foreach (var (key, value) in spec.NodeSelector ?? new Dictionary<string, string>())
            if (labels is null || !labels.TryGetValue(key, out var have) || have != value) return false;
        var required = spec.Affinity?.NodeAffinity?.RequiredDuringSchedulingIgnoredDuringExecution;
        if (required is null) return true;
        foreach (var term in required.NodeSelectorTerms ?? [])
            if (!IsEmpty(term) && Matches(term, node)) return true;
        return false;
    }

    /// <summary>PreferredSchedulingTerms.Score: the summed weights of the non-empty preferred terms the node matches.</summary>
    public static long PreferredScore(IEnumerable<V1PreferredSchedulingTerm>? terms, V1Node node)
    {
        long score = 0;
        foreach (var term in terms ?? [])
            if (term.Weight != 0 && term.Preference is { } preference && !IsEmpty(preference) && Matches(preference, node)) score += term.Weight;
        return score;
    }

    static bool IsEmpty(V1NodeSelectorTerm term) => term.MatchExpressions is not { Count: > 0 } && term.MatchFields is not { Count: > 0 };

    /// <summary>
    /// One term: every label requirement holds on the node's labels, and every field requirement on its fields
    /// (metadata.name only; a node without a name has no fields, and they are then not checked).
    /// </summary>
    public static bool Matches(V1NodeSelectorTerm term, V1Node node)
    {
        var labels = node.Metadata?.Labels;
        foreach (var e in term.MatchExpressions ?? [])
        {
            if (LabelRequirement.OperatorNamed(e.OperatorProperty) is not { } op || !LabelSelector.IsValidRequirement(e.Key, op, e.Values)) return false;
            string? value = null;
            var has = labels is not null && labels.TryGetValue(e.Key, out value);
            if (!LabelRequirement.Holds(op, e.Values, has, value)) return false;
        }
        var name = node.Metadata?.Name;
        foreach (var f in term.MatchFields ?? [])
        {
            if (f.Values is not [var wanted] || f.OperatorProperty is not ("In" or "NotIn")) return false;
            if (string.IsNullOrEmpty(name)) continue;
            var field = f.Key == "metadata.name" ? name : "";
            if ((field == wanted) != (f.OperatorProperty == "In")) return false;
        }
        return true;
    }
}
