using k8s;
using k8s.Models;

namespace KubeRescue.Lab.Components.ControllerManager.Workloads;

/// <summary>Small metav1 helpers: deep copies of cached objects, controller references, keys, labels.</summary>
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

    public static bool SameLabels(IDictionary<string, string>? a, IDictionary<string, string>? b) =>
        (a?.Count ?? 0) == (b?.Count ?? 0) && (a is null || a.All(kv => b!.TryGetValue(kv.Key, out var v) && v == kv.Value));

    /// <summary>Now on <paramref name="clock"/> as a metav1.Time carries it: whole seconds, UTC.</summary>
    public static DateTime Now(TimeProvider clock)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        return new DateTime(now.Ticks - now.Ticks % TimeSpan.TicksPerSecond, DateTimeKind.Utc);
    }
}
