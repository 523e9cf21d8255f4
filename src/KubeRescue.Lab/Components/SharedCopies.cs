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
/// </summary>
public static class SharedCopies
{
    // Dead entries (versions no informer holds any more) are swept after this many additions.
    const int SweepEvery = 65_536;

    static readonly ConcurrentDictionary<(string Uid, string Version), WeakReference<object>> Copies = new();
    static int _added;

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
        while (true)
        {
            if (Copies.TryGetValue(key, out var held))
            {
                if (held.TryGetTarget(out var target) && target is T shared) return shared;
                if (Copies.TryUpdate(key, new WeakReference<object>(obj), held)) return obj;
            }
            else if (Copies.TryAdd(key, new WeakReference<object>(obj)))
            {
                if (Interlocked.Increment(ref _added) % SweepEvery == 0) Sweep();
                return obj;
            }
        }
    }

    static void Sweep()
    {
        foreach (var (key, held) in Copies)
            if (!held.TryGetTarget(out _)) Copies.TryRemove(KeyValuePair.Create(key, held));
    }
}
