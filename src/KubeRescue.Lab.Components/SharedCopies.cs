using System.Collections.Concurrent;
using k8s;
using k8s.Models;

namespace KubeRescue.Lab.Components;

/// <summary>
/// One decoded copy of each object version (uid and resourceVersion) for all the lab's informers. Every emulated
/// component still lists and watches over its own connection and decodes what it receives, so what it sees and
/// when is its own; but where a real cluster has each component in its own process with its own copy, the lab's
/// components share one process, and the kubelets, both schedulers and the controller-manager would otherwise hold
/// four identical copies of every pod and node (some 10 KiB each as KubernetesClient models). Informers never
/// change cached objects (client-go's rule, which the lab's components follow by copying before they change
/// anything), so sharing an identical version changes nothing a component can observe.
/// <para>
/// The same rule lets pods share their identical parts: the pods of one template carry equal containers, volumes,
/// tolerations and security context, which as KubernetesClient models were some 2 KiB of every pod. A pod's copy
/// takes the instance of each such part already held by another pod, matched by the part's whole JSON.
/// </para>
/// </summary>
public static class SharedCopies
{
    // Dead entries (versions no informer holds any more) are swept after this many additions.
    const int SweepEvery = 65_536;

    static readonly ConcurrentDictionary<(string Uid, string Version), WeakReference<object>> Copies = new();
    // Pod parts by type and JSON.
    static readonly ConcurrentDictionary<(Type Type, string Json), WeakReference<object>> Parts = new();
    static int _added;
    static int _partsAdded;

    /// <summary>
    /// The copy of this object's version already held in the process, else this one, which becomes it (its strings
    /// shared through <see cref="ModelStrings"/> first).
    /// </summary>
    public static T Of<T>(T obj) where T : class, IKubernetesObject<V1ObjectMeta>
    {
        if (obj.Metadata?.Uid is not { } uid || obj.Metadata.ResourceVersion is not { } version) return obj;
        var key = (uid, version);
        if (Copies.TryGetValue(key, out var found) && found.TryGetTarget(out var live) && live is T current) return current;
        ModelStrings.Dedupe(obj);
        if (obj is V1Pod { Spec: { } spec }) ShareParts(spec);
        return Held(Copies, key, obj, ref _added);
    }

    static void ShareParts(V1PodSpec spec)
    {
        ShareEach(spec.InitContainers);
        ShareEach(spec.Containers);
        ShareEach(spec.Volumes);
        ShareEach(spec.Tolerations);
        if (spec.SecurityContext is { } context) spec.SecurityContext = Part(context);
    }

    static void ShareEach<TPart>(IList<TPart>? parts) where TPart : class
    {
        if (parts is null || parts.IsReadOnly) return;
        for (var i = 0; i < parts.Count; i++) parts[i] = Part(parts[i]);
    }

    static TPart Part<TPart>(TPart part) where TPart : class =>
        Held(Parts, (typeof(TPart), KubernetesJson.Serialize(part)), part, ref _partsAdded);

    /// <summary>The live instance held under <paramref name="key"/>, else <paramref name="candidate"/>, which becomes it.</summary>
    static TValue Held<TKey, TValue>(ConcurrentDictionary<TKey, WeakReference<object>> table, TKey key, TValue candidate, ref int added)
        where TKey : notnull where TValue : class
    {
        while (true)
        {
            if (table.TryGetValue(key, out var held))
            {
                if (held.TryGetTarget(out var target) && target is TValue shared) return shared;
                if (table.TryUpdate(key, new WeakReference<object>(candidate), held)) return candidate;
            }
            else if (table.TryAdd(key, new WeakReference<object>(candidate)))
            {
                if (Interlocked.Increment(ref added) % SweepEvery == 0) Sweep(table);
                return candidate;
            }
        }
    }

    static void Sweep<TKey>(ConcurrentDictionary<TKey, WeakReference<object>> table) where TKey : notnull
    {
        foreach (var (key, held) in table)
            if (!held.TryGetTarget(out _)) table.TryRemove(KeyValuePair.Create(key, held));
    }
}
