using System.Collections;
using System.Collections.Concurrent;
using System.Reflection;

namespace KubeRescue.Lab.Components;

/// <summary>
/// Makes the short strings of a decoded KubernetesClient model share one instance: every pod the lab's informers
/// decode repeats the same hundred or so values ("Running", "True", "ClusterFirst", label keys, its image, ...),
/// which as separate strings were a quarter of the lab's memory at scale. The pool is a fixed table of the last
/// string seen per hash slot, so it stays small whatever it is fed: values that recur keep their slot, unique ones
/// (names, uids) only pass through. Only for objects no one else holds yet: it rewrites their properties.
/// </summary>
public static class ModelStrings
{
    const int Slots = 1 << 16;
    const int MaxLength = 64;

    static readonly string?[] Pool = new string?[Slots];
    static readonly ConcurrentDictionary<Type, Action<object>[]> Plans = new();

    /// <summary>The pooled instance equal to <paramref name="s"/>, pooling it when its slot holds something else.</summary>
    public static string Share(string s)
    {
        if (s.Length > MaxLength) return s;
        ref var slot = ref Pool[(uint)s.GetHashCode() % Slots];
        var held = Volatile.Read(ref slot);
        if (held is not null && string.Equals(held, s, StringComparison.Ordinal)) return held;
        Volatile.Write(ref slot, s);
        return s;
    }

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
                    if (p.GetValue(o) is string s && Share(s) is var shared && !ReferenceEquals(shared, s)) p.SetValue(o, shared);
                });
            else if (t == typeof(IDictionary<string, string>))
                steps.Add(o =>
                {
                    if (p.GetValue(o) is not IDictionary<string, string> map) return;
                    var shared = new Dictionary<string, string>(map.Count, StringComparer.Ordinal);
                    foreach (var (k, v) in map) shared[Share(k)] = v is null ? v! : Share(v);
                    p.SetValue(o, shared);
                });
            else if (t == typeof(IList<string>))
                steps.Add(o =>
                {
                    if (p.GetValue(o) is not IList<string> list || list.IsReadOnly) return;
                    for (var i = 0; i < list.Count; i++) if (list[i] is { } s) list[i] = Share(s);
                });
            else if (t.IsGenericType && t.GetGenericTypeDefinition() == typeof(IList<>) && IsModel(t.GetGenericArguments()[0]))
                steps.Add(o => { if (p.GetValue(o) is IEnumerable items) foreach (var item in items) if (item is not null) Walk(item); });
            else if (IsModel(t))
                steps.Add(o => { if (p.GetValue(o) is { } child) Walk(child); });
        }
        return [.. steps];
    }
}
