using k8s;
using k8s.Models;
using KubeRescue.Kubernetes.Client;

namespace KubeRescue.Lab.Components;

/// <summary>What the garbage collector and namespace controller see of any object: its metadata, from an informer's cache.</summary>
public interface IObjectCache
{
    IEnumerable<V1ObjectMeta> Items { get; }
    V1ObjectMeta? Get(string? ns, string name);
    Task Synced { get; }
    /// <summary>(old, new): old null on add, new null on delete.</summary>
    event Action<V1ObjectMeta?, V1ObjectMeta?>? Changed;
}

/// <summary>A typed informer seen by its objects' metadata.</summary>
sealed class ObjectCache<T> : IObjectCache where T : class, IKubernetesObject<V1ObjectMeta>
{
    readonly Informer<T> _informer;

    public ObjectCache(Informer<T> informer)
    {
        _informer = informer;
        informer.Added += o => Changed?.Invoke(null, o.Metadata);
        informer.Updated += (old, o) => Changed?.Invoke(old.Metadata, o.Metadata);
        informer.Deleted += o => Changed?.Invoke(o.Metadata, null);
    }

    public IEnumerable<V1ObjectMeta> Items => _informer.Items.Select(o => o.Metadata);
    public V1ObjectMeta? Get(string? ns, string name) => _informer.Get(ns, name)?.Metadata;
    public Task Synced => _informer.Synced;
    public event Action<V1ObjectMeta?, V1ObjectMeta?>? Changed;
}
