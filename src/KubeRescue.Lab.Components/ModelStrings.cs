using System.Collections;
using System.Collections.Concurrent;
using System.Reflection;
using KubeRescue.Kubernetes.Text;

namespace KubeRescue.Lab.Components;

/// <summary>
/// Makes the short strings of a decoded KubernetesClient model share one instance (<see cref="StringPool"/>): every
/// pod the lab's informers decode repeats the same hundred or so values ("Running", "True", "ClusterFirst", label
/// keys, its image, ...). Only for objects no one else holds yet: it rewrites their properties.
/// </summary>
public static class ModelStrings
{
    static readonly ConcurrentDictionary<Type, Action<object>[]> Plans = new();

    /// <summary>Shares the strings of <paramref name="model"/> and every model, list and map beneath it.</summary>
    public static T Dedupe<T>(T model) where T : class
    {
        Walk(model);
        return model;
    }

    static void Walk(object model)
    {
        foreach (var step in Plans.GetOrAdd(model.GetType(), Plan)) step(model);
    }

    static bool IsModel(Type t) => t.IsClass && t.Namespace == "k8s.Models" && t.Assembly == typeof(k8s.Models.V1Pod).Assembly;

    /// <summary>One step per settable property that can hold strings.</summary>
    static Action<object>[] Plan(Type type)
    {
        var steps = new List<Action<object>>();
        foreach (var p in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (!p.CanRead || !p.CanWrite || p.GetIndexParameters().Length > 0) continue;
            var t = p.PropertyType;
            if (t == typeof(string))
                steps.Add(o =>
                {
                    if (p.GetValue(o) is string s && StringPool.Share(s) is var shared && !ReferenceEquals(shared, s)) p.SetValue(o, shared);
                });
            else if (t == typeof(IDictionary<string, string>))
                steps.Add(o =>
                {
                    if (p.GetValue(o) is not IDictionary<string, string> map) return;
                    var shared = new Dictionary<string, string>(map.Count, StringComparer.Ordinal);
                    foreach (var (k, v) in map) shared[StringPool.Share(k)] = v is null ? v! : StringPool.Share(v);
                    p.SetValue(o, shared);
                });
            else if (t == typeof(IList<string>))
                steps.Add(o =>
                {
                    if (p.GetValue(o) is not IList<string> list || list.IsReadOnly) return;
                    for (var i = 0; i < list.Count; i++) if (list[i] is { } s) list[i] = StringPool.Share(s);
                });
            else if (t.IsGenericType && t.GetGenericTypeDefinition() == typeof(IList<>) && IsModel(t.GetGenericArguments()[0]))
                steps.Add(o => { if (p.GetValue(o) is IEnumerable items) foreach (var item in items) if (item is not null) Walk(item); });
            else if (IsModel(t))
                steps.Add(o => { if (p.GetValue(o) is { } child) Walk(child); });
        }
        return [.. steps];
    }
}
