using System.Collections.Concurrent;
using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace KubeRescue.Lab.Components;

/// <summary>
/// client-go's informer in small: list, then watch from the list's resourceVersion, keeping a local cache and
/// telling handlers about every change. A watch that ends is resumed from the last resourceVersion seen; a 410
/// (or any failure) relists, and the handlers see the difference as adds, updates and deletes. Components read
/// the cluster through informers and write through their client, as the real ones do.
/// </summary>
public sealed class Informer<T> where T : class, IKubernetesObject<V1ObjectMeta>
{
    public delegate Task<(IList<T> Items, string ResourceVersion)> ListFunc(CancellationToken ct);
    public delegate IAsyncEnumerable<(WatchEventType Type, T Object)> WatchFunc(string resourceVersion, Action<Exception> onError, CancellationToken ct);

    readonly ListFunc _list;
    readonly WatchFunc _watch;
    readonly Func<T, T>? _transform;
    readonly TimeSpan _retry;
    readonly ConcurrentDictionary<string, T> _cache = new(StringComparer.Ordinal);
    readonly TaskCompletionSource _synced = new(TaskCreationOptions.RunContinuationsAsynchronously);
    readonly Dictionary<string, Func<T, IEnumerable<string>>> _indexers = new(StringComparer.Ordinal);
    // index name -> indexed value -> cache keys; the cache and its indices change together under this lock.
    readonly Dictionary<string, Dictionary<string, HashSet<string>>> _indices = new(StringComparer.Ordinal);
    readonly Lock _indexGate = new();

    /// <param name="transform">
    /// client-go's TransformFunc: applied to every object received, before it is cached or handed to a handler
    /// (a cache that needs only metadata keeps only metadata)
    /// </param>
    public Informer(ListFunc list, WatchFunc watch, Func<T, T>? transform = null, TimeSpan? retry = null)
    {
        _list = list;
        _watch = watch;
        _transform = transform;
        _retry = retry ?? TimeSpan.FromSeconds(1);
    }

    public event Action<T>? Added;
    public event Action<T, T>? Updated;
    public event Action<T>? Deleted;

    /// <summary>A handler threw. The informer goes on with the next handler and event, as client-go's does after a
    /// handler panic is recovered; whoever owns the handler should hear of it.</summary>
    public event Action<Exception>? HandlerFailed;

    /// <summary>
    /// Adds handlers for as long as the returned subscription lives: a controller whose leadership ends drops its
    /// handlers with one dispose, however many it registered.
    /// </summary>
    public IDisposable Subscribe(Action<T>? added = null, Action<T, T>? updated = null, Action<T>? deleted = null)
    {
        Added += added;
        Updated += updated;
        Deleted += deleted;
        return new Subscription(() =>
        {
            Added -= added;
            Updated -= updated;
            Deleted -= deleted;
        });
    }

    sealed class Subscription(Action unsubscribe) : IDisposable
    {
        int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0) unsubscribe();
        }
    }

    public IEnumerable<T> Items => _cache.Values;

    /// <summary>
    /// Adds an index, as client-go's Indexer has: <paramref name="values"/> gives the values an object is found
    /// under. A controller that needs the pods of one owner or one node asks the index instead of reading every pod.
    /// Add indices before <see cref="RunAsync"/>.
    /// </summary>
    public void AddIndex(string name, Func<T, IEnumerable<string>> values)
    {
        lock (_indexGate)
        {
            _indexers.Add(name, values);
            _indices[name] = new(StringComparer.Ordinal);
        }
    }

    /// <summary>The cached objects found under <paramref name="value"/> in index <paramref name="name"/>.</summary>
    public IReadOnlyList<T> ByIndex(string name, string value)
    {
        lock (_indexGate)
        {
            if (!_indices[name].TryGetValue(value, out var keys)) return [];
            var found = new List<T>(keys.Count);
            foreach (var key in keys)
                if (_cache.TryGetValue(key, out var obj)) found.Add(obj);
            return found;
        }
    }

    public T? Get(string? ns, string name) => _cache.GetValueOrDefault(Key(ns, name));

    public static string Key(string? ns, string name) => string.IsNullOrEmpty(ns) ? name : $"{ns}/{name}";

    static string Key(T obj) => Key(obj.Metadata.NamespaceProperty, obj.Metadata.Name);

    /// <summary>Completes once the first list is in the cache.</summary>
    public Task Synced => _synced.Task;

    public async Task RunAsync(CancellationToken ct)
    {
        string? resourceVersion = null;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                resourceVersion ??= await RelistAsync(ct);
                Exception? watchError = null;
                await foreach (var (type, obj) in _watch(resourceVersion, e => watchError = e, ct))
                {
                    if (type == WatchEventType.Bookmark)
                    {
                        resourceVersion = obj.Metadata.ResourceVersion;
                        continue;
                    }
                    resourceVersion = obj.Metadata.ResourceVersion;
                    Apply(type, _transform is null ? obj : _transform(obj));
                }
                // A watch that closed cleanly resumes where it was; an error (410 Expired among them) relists.
                if (watchError is not null) resourceVersion = null;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is HttpOperationException or HttpRequestException or IOException or KubernetesException)
            {
                resourceVersion = null;
                try { await Task.Delay(_retry, ct); } catch (OperationCanceledException) { return; }
            }
        }
    }

    async Task<string> RelistAsync(CancellationToken ct)
    {
        var (items, resourceVersion) = await _list(ct);
        var fresh = (_transform is null ? items : items.Select(_transform)).ToDictionary(Key, StringComparer.Ordinal);
        foreach (var (key, _) in _cache)
            if (!fresh.ContainsKey(key) && Remove(key) is { } old) Notify(Deleted, old);
        foreach (var (key, obj) in fresh)
        {
            if (Put(key, obj) is { } old)
            {
                if (old.Metadata.ResourceVersion != obj.Metadata.ResourceVersion) Notify(Updated, old, obj);
            }
            else
            {
                Notify(Added, obj);
            }
        }
        _synced.TrySetResult();
        return resourceVersion;
    }

    void Notify(Action<T>? handlers, T obj)
    {
        foreach (var handler in handlers?.GetInvocationList().Cast<Action<T>>() ?? [])
        {
            try { handler(obj); }
            catch (Exception e) { HandlerFailed?.Invoke(e); }
        }
    }

    void Notify(Action<T, T>? handlers, T old, T obj)
    {
        foreach (var handler in handlers?.GetInvocationList().Cast<Action<T, T>>() ?? [])
        {
            try { handler(old, obj); }
            catch (Exception e) { HandlerFailed?.Invoke(e); }
        }
    }

    void Apply(WatchEventType type, T obj)
    {
        var key = Key(obj);
        switch (type)
        {
            case WatchEventType.Added or WatchEventType.Modified:
                if (Put(key, obj) is { } old) Notify(Updated, old, obj);
                else Notify(Added, obj);
                break;
            case WatchEventType.Deleted:
                if (Remove(key) is { } gone) Notify(Deleted, gone);
                break;
        }
    }

    /// <summary>Caches <paramref name="obj"/> and indexes it; returns the object it replaced.</summary>
    T? Put(string key, T obj)
    {
        lock (_indexGate)
        {
            _cache.TryGetValue(key, out var old);
            _cache[key] = obj;
            foreach (var (name, values) in _indexers)
            {
                var index = _indices[name];
                if (old is not null) Unindex(index, values(old), key);
                foreach (var value in values(obj))
                {
                    if (!index.TryGetValue(value, out var keys)) index[value] = keys = new(StringComparer.Ordinal);
                    keys.Add(key);
                }
            }
            return old;
        }
    }

    T? Remove(string key)
    {
        lock (_indexGate)
        {
            if (!_cache.TryRemove(key, out var old)) return null;
            foreach (var (name, values) in _indexers) Unindex(_indices[name], values(old), key);
            return old;
        }
    }

    static void Unindex(Dictionary<string, HashSet<string>> index, IEnumerable<string> values, string key)
    {
        foreach (var value in values)
            if (index.TryGetValue(value, out var keys) && keys.Remove(key) && keys.Count == 0) index.Remove(value);
    }
}

/// <summary>Informers for the resources the components watch, from one client.</summary>
public static class Informers
{
    /// <summary>Pods by the uid of their controller, or <see cref="Orphans"/> of their namespace: controller.PodControllerUIDIndex.</summary>
    public const string ByController = "controller";

    /// <summary>Pods by spec.nodeName (unscheduled pods are not indexed).</summary>
    public const string ByNode = "node";

    /// <summary>The <see cref="ByController"/> value of a namespace's pods without a controller, as upstream's OrphanPodIndexKey.</summary>
    public static string Orphans(string? ns) => $"_ORPHAN_POD/{ns}";

    /// <summary>Adds <see cref="ByController"/> and <see cref="ByNode"/> to a pod informer not yet running.</summary>
    public static Informer<V1Pod> Indexed(this Informer<V1Pod> pods)
    {
        pods.AddIndex(ByController, p => [p.Metadata.OwnerReferences?.FirstOrDefault(r => r.Controller == true)?.Uid ?? Orphans(p.Metadata.NamespaceProperty)]);
        pods.AddIndex(ByNode, p => string.IsNullOrEmpty(p.Spec?.NodeName) ? [] : [p.Spec.NodeName]);
        return pods;
    }

    public static Informer<V1Pod> Pods(IKubernetes client, string? fieldSelector = null, string? labelSelector = null) => new(
        async ct =>
        {
            var list = await client.CoreV1.ListPodForAllNamespacesAsync(fieldSelector: fieldSelector, labelSelector: labelSelector, cancellationToken: ct);
            return (list.Items, list.Metadata.ResourceVersion);
        },
        (rv, onError, ct) => client.CoreV1.WatchListPodForAllNamespacesAsync(fieldSelector: fieldSelector, labelSelector: labelSelector,
            resourceVersion: rv, allowWatchBookmarks: true, onError: onError, cancellationToken: ct),
        SharedCopies.Of);

    public static Informer<V1Node> Nodes(IKubernetes client) => new(
        async ct =>
        {
            var list = await client.CoreV1.ListNodeAsync(cancellationToken: ct);
            return (list.Items, list.Metadata.ResourceVersion);
        },
        (rv, onError, ct) => client.CoreV1.WatchListNodeAsync(resourceVersion: rv, allowWatchBookmarks: true, onError: onError, cancellationToken: ct),
        SharedCopies.Of);

    public static Informer<V1Deployment> Deployments(IKubernetes client) => new(
        async ct =>
        {
            var list = await client.AppsV1.ListDeploymentForAllNamespacesAsync(cancellationToken: ct);
            return (list.Items, list.Metadata.ResourceVersion);
        },
        (rv, onError, ct) => client.AppsV1.WatchListDeploymentForAllNamespacesAsync(resourceVersion: rv, allowWatchBookmarks: true, onError: onError, cancellationToken: ct));

    public static Informer<V1ReplicaSet> ReplicaSets(IKubernetes client) => new(
        async ct =>
        {
            var list = await client.AppsV1.ListReplicaSetForAllNamespacesAsync(cancellationToken: ct);
            return (list.Items, list.Metadata.ResourceVersion);
        },
        (rv, onError, ct) => client.AppsV1.WatchListReplicaSetForAllNamespacesAsync(resourceVersion: rv, allowWatchBookmarks: true, onError: onError, cancellationToken: ct));

    public static Informer<V1DaemonSet> DaemonSets(IKubernetes client) => new(
        async ct =>
        {
            var list = await client.AppsV1.ListDaemonSetForAllNamespacesAsync(cancellationToken: ct);
            return (list.Items, list.Metadata.ResourceVersion);
        },
        (rv, onError, ct) => client.AppsV1.WatchListDaemonSetForAllNamespacesAsync(resourceVersion: rv, allowWatchBookmarks: true, onError: onError, cancellationToken: ct));
}
