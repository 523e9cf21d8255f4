using System.Globalization;
using k8s.Models;

namespace KubeRescue.Lab.Components;

/// <summary>
/// How a pod's tolerations and node constraints meet a node, as upstream's component-helpers have it; the one
/// place the kubelet's admission, the scheduler's filters and the controllers (daemonset, taint eviction) read it.
/// </summary>
public static class NodeMatching
{
    /// <summary>v1.Toleration.ToleratesTaint: an empty effect matches every effect, an empty key with Exists every key.</summary>
    public static bool Tolerates(V1Toleration toleration, V1Taint taint)
    {
        if (!string.IsNullOrEmpty(toleration.Effect) && toleration.Effect != taint.Effect) return false;
        if (!string.IsNullOrEmpty(toleration.Key) && toleration.Key != taint.Key) return false;
        return toleration.OperatorProperty switch
        {
            null or "" or "Equal" => (toleration.Value ?? "") == (taint.Value ?? ""),
            "Exists" => true,
            _ => false,
        };
    }

    public static bool Tolerates(IEnumerable<V1Toleration>? tolerations, V1Taint taint) => tolerations?.Any(t => Tolerates(t, taint)) ?? false;

    /// <summary>nodeSelector and required node affinity: terms ORed, requirements within a term ANDed.</summary>
    public static bool Matches(V1PodSpec spec, V1Node node)
    {
        var labels = node.Metadata.Labels ?? new Dictionary<string, string>();
        if (spec.NodeSelector is { } selector && selector.Any(kv => !labels.TryGetValue(kv.Key, out var v) || v != kv.Value)) return false;
        var required = spec.Affinity?.NodeAffinity?.RequiredDuringSchedulingIgnoredDuringExecution;
        return required is null || (required.NodeSelectorTerms?.Any(term => Matches(term, node)) ?? false);
    }

    /// <summary>A node selector term: all its expressions (labels) and fields (metadata.name only) hold; an empty term selects nothing.</summary>
    public static bool Matches(V1NodeSelectorTerm term, V1Node node)
    {
        var expressions = term.MatchExpressions ?? [];
        var fields = term.MatchFields ?? [];
        if (expressions.Count == 0 && fields.Count == 0) return false;
        var labels = node.Metadata.Labels;
        return expressions.All(e => Holds(e, labels is not null && labels.TryGetValue(e.Key, out var v) ? v : null))
            && fields.All(f => f.Key == "metadata.name" && Holds(f, node.Metadata.Name));
    }

    static bool Holds(V1NodeSelectorRequirement r, string? value) => r.OperatorProperty switch
    {
        "In" => value is not null && (r.Values?.Contains(value) ?? false),
        "NotIn" => value is null || !(r.Values?.Contains(value) ?? false),
        "Exists" => value is not null,
        "DoesNotExist" => value is null,
        "Gt" or "Lt" => value is not null && r.Values is [var bound]
            && long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var have)
            && long.TryParse(bound, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var want)
            && (r.OperatorProperty == "Gt" ? have > want : have < want),
        _ => false,
    };
}
