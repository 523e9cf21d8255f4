using k8s.Models;

namespace KubeRescue.Kube;

/// <summary>A LabelSelector written as the <c>labelSelector</c> query parameter, in the syntax kubectl's <c>-l</c> takes.</summary>
public static class LabelSelectors
{
    /// <summary>Null when the selector selects everything (none, or empty): the caller must not list unfiltered.</summary>
    public static string? Format(V1LabelSelector? selector)
    {
        var parts = new List<string>();
        foreach (var (key, value) in (selector?.MatchLabels ?? new Dictionary<string, string>()).OrderBy(kv => kv.Key, StringComparer.Ordinal))
            parts.Add($"{key}={value}");
        foreach (var e in selector?.MatchExpressions ?? [])
        {
            var values = string.Join(",", (e.Values ?? []).Order(StringComparer.Ordinal));
            parts.Add(e.OperatorProperty switch
            {
                "In" => $"{e.Key} in ({values})",
                "NotIn" => $"{e.Key} notin ({values})",
                "Exists" => e.Key,
                "DoesNotExist" => $"!{e.Key}",
                var op => throw new ArgumentException($"label selector operator {op} is not one of In, NotIn, Exists, DoesNotExist"),
            });
        }
        return parts.Count == 0 ? null : string.Join(",", parts);
    }

    public static string? Format(IDictionary<string, string>? labels) => Format(new V1LabelSelector { MatchLabels = labels });

    /// <summary>
    /// A workload's pods: its selector, or for a workload served without one (extensions/v1beta1 defaulted it from the
    /// template), its template's labels; null when both are empty.
    /// </summary>
    public static string? ForWorkload(V1LabelSelector? selector, V1PodTemplateSpec? template) =>
        Format(selector) ?? Format(template?.Metadata?.Labels);
}
