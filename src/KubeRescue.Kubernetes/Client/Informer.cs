using System.Collections.Concurrent;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace KubeRescue.Kubernetes.Client;

/// <summary>How an <see cref="Informer{T}"/> retries and what it keeps.</summary>
public sealed record InformerOptions
{
    /// <summary>The clock the retries wait on.</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;

    /// <summary>The first wait after a failure; each next one doubles, up to <see cref="LongestRetry"/>, with jitter.</summary>
    public TimeSpan FirstRetry { get; init; } = TimeSpan.FromMilliseconds(200);

    public TimeSpan LongestRetry { get; init; } = TimeSpan.FromSeconds(5);
}

/// <summary>
/// client-go's informer in small: list, then watch from the list's resourceVersion, keeping a local cache and
/// telling handlers about every change, as its reflector does it. A watch that ends or is cut (a dropped
/// connection, a reset stream) resumes from the last resourceVersion it saw, so nothing is listed twice; only 410
/// Gone (that version is no longer kept), another error the server sends, or an event that cannot be read lists
/// again, and the handlers see the difference as adds, updates and deletes. Failures back off exponentially with
/// jitter. The engine's waits and the lab's components read the cluster through informers, as real ones do.
/// </summary>
public sealed class Informer<T> : IAsyncDisposable where T : class, IKubernetesObject<V1ObjectMeta>
{
    public delegate Task<(IList<T> Items, string ResourceVersion)> ListFunc(CancellationToken ct);

    readonly IKubernetes _client;
    readonly ListFunc _list;
    readonly string _watchPath;
    readonly Func<T, T>? _transform;
    readonly InformerOptions _options;
    readonly ConcurrentDictionary<string, T> _cache = new(StringComparer.Ordinal);
    readonly TaskCompletionSource _synced = new(TaskCreationOptions.RunContinuationsAsynchronously);
    readonly Dictionary<string, Func<T, IEnumerable<string>>> _indexers = new(StringComparer.Ordinal);
    // index name -> indexed value -> cache keys; the cache and its indices change together under this lock.
    readonly Dictionary<string, Dictionary<string, HashSet<string>>> _indices = new(StringComparer.Ordinal);
    readonly Lock _indexGate = new();
    CancellationTokenSource? _ownRun;
    Task? _running;

    /// <param name="watchPath">the collection's path and query for a watch (<see cref="WatchStream.Path"/>); the resourceVersion is added per watch</param>
    /// <param name="transform">
    /// client-go's TransformFunc: applied to every object received, before it is cached or handed to a handler
    /// (a cache that needs only metadata keeps only metadata)
    /// </param>
    public Informer(IKubernetes client, ListFunc list, string watchPath, Func<T, T>? transform = null, InformerOptions? options = null)
    {
        _client = client;
        _list = list;
        _watchPath = watchPath;
        _transform = transform;
        _options = options ?? new InformerOptions();
    }

    public event Action<T>? Added;
    public event Action<T, T>? Updated;
    public event Action<T>? Deleted;

    /// <summary>Anything changed: an object was added, updated or deleted, or a list replaced the cache.</summary>
    public event Action? Changed;

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
    /// Add indices before the informer runs.
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

    /// <summary>True once the first list has arrived; before that, <see cref="Items"/> proves nothing.</summary>
    public bool IsSynced => _synced.Task.IsCompleted;

    /// <summary>The last error that interrupted the list or watch (retried), for a timeout's message.</summary>
    public Exception? LastError { get; private set; }

    /// <summary>Runs the informer in the background until it is disposed.</summary>
    public Informer<T> Start()
    {
        _ownRun = new CancellationTokenSource();
        _running = Task.Run(() => RunAsync(_ownRun.Token));
        return this;
    }

    public async Task RunAsync(CancellationToken ct)
    {
        string? resourceVersion = null;
        var backoff = new Backoff(_options.FirstRetry, _options.LongestRetry);
        while (!ct.IsCancellationRequested)
        {
            try
            {
                resourceVersion ??= await RelistAsync(ct);
                await foreach (var (type, obj) in WatchStream.EventsAsync<T>(_client, _watchPath, resourceVersion, ct))
                {
                    backoff.Reset();
                    resourceVersion = obj.Metadata.ResourceVersion;
                    if (type != WatchEventType.Bookmark) Apply(type, Transform(obj));
                }
                // A watch that ended cleanly resumes where it was.
                continue;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is KubernetesException or HttpOperationException or InvalidDataException)
            {
                // An ERROR event or a refusal after the client's retries (410 Gone for a version too old among them),
                // or an event that cannot be read (resuming would read it again): list again.
                LastError = e;
                resourceVersion = null;
            }
            catch (Exception e) when (e is HttpRequestException or IOException)
            {
                // The connection failed or the stream was cut: the version still holds, so resume from it.
                LastError = e;
            }
            try { await Task.Delay(backoff.Next(), _options.Clock, ct); }
            catch (OperationCanceledException) { return; }
        }
    }

    T Transform(T obj) => _transform is null ? obj : _transform(obj);

    async Task<string> RelistAsync(CancellationToken ct)
    {
        var (items, resourceVersion) = await _list(ct);
        var fresh = items.Select(Transform).ToDictionary(Key, StringComparer.Ordinal);
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
        Notify(Changed);
        return resourceVersion;
    }

    void Notify(Action? handlers)
    {
        foreach (var handler in handlers?.GetInvocationList().Cast<Action>() ?? [])
        {
            try { handler(); }
            catch (Exception e) { HandlerFailed?.Invoke(e); }
        }
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
        Notify(Changed);
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

    /// <summary>Stops a run <see cref="Start"/> began; an informer run by its owner's <see cref="RunAsync"/> stops with its token.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_ownRun is null) return;
        await _ownRun.CancelAsync();
        await _running!;
        _ownRun.Dispose();
    }
}
