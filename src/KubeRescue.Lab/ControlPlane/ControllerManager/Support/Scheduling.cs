using System.Globalization;
using k8s.Models;

namespace KubeRescue.Lab.ControlPlane.ControllerManager.Support;

/// <summary>The placement rules controllers share with the scheduler: tolerations against taints, node selectors and required node affinity.</summary>
public static class Scheduling
{
    public const string NotReadyTaint = "node.kubernetes.io/not-ready";
    public const string UnreachableTaint = "node.kubernetes.io/unreachable";
    public const string DiskPressureTaint = "node.kubernetes.io/disk-pressure";
    public const string MemoryPressureTaint = "node.kubernetes.io/memory-pressure";
    public const string PidPressureTaint = "node.kubernetes.io/pid-pressure";
    public const string UnschedulableTaint = "node.kubernetes.io/unschedulable";
    public const string NetworkUnavailableTaint = "node.kubernetes.io/network-unavailable";

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

    /// <summary>The first taint with one of <paramref name="effects"/> that no toleration tolerates, or null.</summary>
    public static V1Taint? FirstUntolerated(IEnumerable<V1Taint>? taints, IEnumerable<V1Toleration>? tolerations, params string[] effects) =>
        taints?.FirstOrDefault(t => effects.Contains(t.Effect) && !Tolerates(tolerations, t));

    /// <summary>nodeSelector and required node affinity (terms ORed, requirements within a term ANDed), as the NodeAffinity filter has them.</summary>
    public static bool MatchesNode(V1PodSpec spec, V1Node node)
    {
        var labels = node.Metadata.Labels ?? new Dictionary<string, string>();
        if (spec.NodeSelector is { } selector && selector.Any(kv => !labels.TryGetValue(kv.Key, out var v) || v != kv.Value)) return false;
        var required = spec.Affinity?.NodeAffinity?.RequiredDuringSchedulingIgnoredDuringExecution;
        if (required is null) return true;
        return required.NodeSelectorTerms?.Any(term => TermMatches(term, labels, node.Metadata.Name)) ?? false;
    }

    static bool TermMatches(V1NodeSelectorTerm term, IDictionary<string, string> labels, string nodeName)
    {
        // An empty term selects nothing.
        if (term.MatchExpressions is not { Count: > 0 } && term.MatchFields is not { Count: > 0 }) return false;
        foreach (var r in term.MatchExpressions ?? [])
            if (!RequirementMatches(r, labels.TryGetValue(r.Key, out var v) ? v : null)) return false;
        foreach (var r in term.MatchFields ?? [])
        {
            if (r.Key != "metadata.name") return false;
            if (!RequirementMatches(r, nodeName)) return false;
        }
        return true;
    }

    static bool RequirementMatches(V1NodeSelectorRequirement r, string? value) => r.OperatorProperty switch
    {
        "In" => value is not null && (r.Values?.Contains(value) ?? false),
        "NotIn" => value is null || !(r.Values?.Contains(value) ?? false),
        "Exists" => value is not null,
        "DoesNotExist" => value is null,
        "Gt" => Compare(value, r.Values) is > 0,
        "Lt" => Compare(value, r.Values) is < 0,
        _ => false,
    };

    static int? Compare(string? value, IList<string>? values) =>
        value is not null && values is [var bound]
        && long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v)
        && long.TryParse(bound, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var b)
            ? v.CompareTo(b) : null;

    public static V1PodCondition? Condition(V1Pod pod, string type) => pod.Status?.Conditions?.FirstOrDefault(c => c.Type == type);

    public static V1NodeCondition? Condition(V1Node node, string type) => node.Status?.Conditions?.FirstOrDefault(c => c.Type == type);

    public static bool IsReady(V1Pod pod) => Condition(pod, "Ready")?.Status == "True";

    /// <summary>Ready for at least minReadySeconds (podutil.IsPodAvailable).</summary>
    public static bool IsAvailable(V1Pod pod, TimeSpan minReady, DateTime now)
    {
        var ready = Condition(pod, "Ready");
        if (ready?.Status != "True") return false;
        if (minReady <= TimeSpan.Zero) return true;
        return ready.LastTransitionTime is { } since && since.ToUniversalTime() + minReady <= now;
    }

    public static bool IsActive(V1Pod pod) =>
        pod.Metadata.DeletionTimestamp is null && pod.Status?.Phase is not ("Succeeded" or "Failed");
}
