using System.Collections.Concurrent;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace KubeRescue.Kube;

/// <summary>
/// The objects matching one targeted query (a namespace and selectors), kept current by a list and then a watch,
/// as client-go's reflector keeps them: a watch that ends or is cut (a dropped connection, a reset stream) resumes
/// from the last resourceVersion it saw, so nothing is listed twice; only 410 Gone (that version is no longer kept)
/// or another error the server sends lists again. Failures back off exponentially with jitter. Every change
/// raises the <see cref="ChangeSignal"/> it was given, so that one wait can follow several queries at once.
/// </summary>
public sealed class Watched<T> : IAsyncDisposable where T : class, IKubernetesObject<V1ObjectMeta>
{
    public delegate Task<(IList<T> Items, string ResourceVersion)> ListFunc(CancellationToken ct);

    static readonly TimeSpan FirstRetry = TimeSpan.FromMilliseconds(200), LongestRetry = TimeSpan.FromSeconds(5);

    readonly ConcurrentDictionary<string, T> _items = new(StringComparer.Ordinal);
    readonly ChangeSignal _signal;
    readonly CancellationTokenSource _stop = new();
    readonly Task _loop;
    volatile bool _synced;

    Watched(IKubernetes client, ListFunc list, string watchPath, ChangeSignal signal)
    {
        _signal = signal;
        _loop = Task.Run(() => RunAsync(client, list, watchPath, _stop.Token));
    }

    /// <summary>True once the first list has arrived; before that, <see cref="Items"/> proves nothing.</summary>
    public bool Synced => _synced;

    public IReadOnlyList<T> Items => [.. _items.Values];

    /// <summary>The last error that interrupted the list or watch (retried), for a timeout's message.</summary>
    public Exception? LastError { get; private set; }

    public static Watched<V1Pod> Pods(IKubernetes client, string ns, ChangeSignal signal, string? labelSelector = null, string? fieldSelector = null) => new(
        client,
        async ct =>
        {
            var list = await client.CoreV1.ListNamespacedPodAsync(ns, labelSelector: labelSelector, fieldSelector: fieldSelector, cancellationToken: ct);
            return (list.Items, list.Metadata.ResourceVersion);
        },
        WatchStream.Path($"/api/v1/namespaces/{Uri.EscapeDataString(ns)}/pods", labelSelector, fieldSelector),
        signal);

    public static Watched<V1Lease> Lease(IKubernetes client, string ns, string name, ChangeSignal signal) => new(
        client,
        async ct =>
        {
            var list = await client.CoordinationV1.ListNamespacedLeaseAsync(ns, fieldSelector: $"metadata.name={name}", cancellationToken: ct);
            return (list.Items, list.Metadata.ResourceVersion);
        },
        WatchStream.Path($"/apis/coordination.k8s.io/v1/namespaces/{Uri.EscapeDataString(ns)}/leases", null, $"metadata.name={name}"),
        signal);

    async Task RunAsync(IKubernetes client, ListFunc list, string watchPath, CancellationToken ct)
    {
        string? resourceVersion = null;
        var backoff = new Backoff(FirstRetry, LongestRetry);
        while (!ct.IsCancellationRequested)
        {
            try
            {
                if (resourceVersion is null)
                {
                    var (items, rv) = await list(ct);
                    _items.Clear();
                    foreach (var item in items) _items[item.Metadata.Name] = item;
                    resourceVersion = rv;
                    _synced = true;
                    _signal.Raise();
                }
                await foreach (var (type, obj) in WatchStream.EventsAsync<T>(client, watchPath, resourceVersion, ct))
                {
                    backoff.Reset();
                    resourceVersion = obj.Metadata.ResourceVersion;
                    if (type == WatchEventType.Bookmark) continue;
                    if (type == WatchEventType.Deleted) _items.TryRemove(obj.Metadata.Name, out _);
                    else _items[obj.Metadata.Name] = obj;
                    _signal.Raise();
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
            try { await Task.Delay(backoff.Next(), ct); }
            catch (OperationCanceledException) { return; }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }
}

/// <summary>Wakes a waiter when anything it follows changed; a change before the wait is not lost.</summary>
public sealed class ChangeSignal
{
    readonly SemaphoreSlim _changed = new(0, 1);

    public void Raise()
    {
        try { _changed.Release(); }
        catch (SemaphoreFullException) { }
    }

    /// <summary>Waits for a change, or at most <paramref name="max"/> (conditions that depend on time are re-judged then).</summary>
    public Task WaitAsync(TimeSpan max, CancellationToken ct) => _changed.WaitAsync(max, ct);
}
