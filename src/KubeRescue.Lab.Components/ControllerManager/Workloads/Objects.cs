using k8s;
using k8s.Models;

namespace KubeRescue.Lab.Components.ControllerManager.Workloads;

/// <summary>Small metav1 helpers: deep copies of cached objects, controller references, label selectors.</summary>
static class Objects
{
    /// <summary>A deep copy, as a controller takes before changing anything it read from an informer's cache.</summary>
    public static T Clone<T>(T obj) => KubernetesJson.Deserialize<T>(KubernetesJson.Serialize(obj));

    public static V1OwnerReference? ControllerOf(V1ObjectMeta meta) => meta.OwnerReferences?.FirstOrDefault(r => r.Controller == true);

    public static V1OwnerReference NewControllerRef(V1ObjectMeta owner, string apiVersion, string kind) => new()
    {
        ApiVersion = apiVersion,
        Kind = kind,
        Name = owner.Name,
        Uid = owner.Uid,
        Controller = true,
        BlockOwnerDeletion = true,
    };

    public static string Key(V1ObjectMeta meta) => $"{meta.NamespaceProperty}/{meta.Name}";

    public static (string Namespace, string Name) SplitKey(string key)
    {
        var slash = key.IndexOf('/');
        return (key[..slash], key[(slash + 1)..]);
    }

    /// <summary>metav1.LabelSelectorAsSelector(...).Matches: a null selector matches nothing, an empty one everything.</summary>
    public static bool Matches(V1LabelSelector? selector, IDictionary<string, string>? labels)
    {
        if (selector is null) return false;
        labels ??= new Dictionary<string, string>();
        if (selector.MatchLabels is { } matchLabels)
            foreach (var (k, v) in matchLabels)
                if (!labels.TryGetValue(k, out var actual) || actual != v) return false;
        foreach (var req in selector.MatchExpressions ?? [])
        {
            var has = labels.TryGetValue(req.Key, out var value);
            var ok = req.OperatorProperty switch
            {
                "In" => has && (req.Values ?? []).Contains(value!),
                "NotIn" => !has || !(req.Values ?? []).Contains(value!),
                "Exists" => has,
                "DoesNotExist" => !has,
                _ => false,
            };
            if (!ok) return false;
        }
        return true;
    }

    public static bool IsEmpty(V1LabelSelector? selector) =>
        selector is not null && (selector.MatchLabels is null || selector.MatchLabels.Count == 0) && (selector.MatchExpressions is null || selector.MatchExpressions.Count == 0);

    public static bool SameLabels(IDictionary<string, string>? a, IDictionary<string, string>? b) =>
        (a?.Count ?? 0) == (b?.Count ?? 0) && (a is null || a.All(kv => b!.TryGetValue(kv.Key, out var v) && v == kv.Value));

    /// <summary>Now as a metav1.Time carries it: whole seconds, UTC.</summary>
    public static DateTime Now()
    {
        var now = DateTime.UtcNow;
        return new DateTime(now.Ticks - now.Ticks % TimeSpan.TicksPerSecond, DateTimeKind.Utc);
    }
}
