using k8s;
using k8s.Autorest;
using k8s.Models;
using KubeRescue.Kube;

namespace KubeRescue.Bench.Mttr;

/// <summary>One pod as a watch event showed it, at the moment the benchmark received the event.</summary>
sealed record PodSeen(double At, string Name, string? App, bool Rescue, bool Ready, bool Deleting, bool Gone);

/// <summary>A leader-election Lease's holder as a watch event showed it ("" once released).</summary>
sealed record LeaseSeen(double At, string Name, string Holder);

/// <summary>
/// Watches kube-system's pods and Leases and records every change with the time it arrived, on the benchmark's
/// clock: the timeline the floor is computed from. Every change also raises <see cref="Changed"/>, so that health is
/// judged as soon as something moved.
/// </summary>
sealed class Observer : IAsyncDisposable
{
    const string Namespace = "kube-system";

    readonly List<PodSeen> _pods = [];
    readonly List<LeaseSeen> _leases = [];
    readonly CancellationTokenSource _stop = new();
    readonly Task _podLoop, _leaseLoop;
    readonly TaskCompletionSource _podsSynced = new(TaskCreationOptions.RunContinuationsAsynchronously);
    readonly TaskCompletionSource _leasesSynced = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ChangeSignal Changed { get; } = new();

    Observer(IKubernetes client)
    {
        _podLoop = Task.Run(() => FollowAsync(
            async ct => { var l = await client.CoreV1.ListNamespacedPodAsync(Namespace, cancellationToken: ct); return (l.Items, l.Metadata.ResourceVersion); },
            (rv, onError, ct) => client.CoreV1.WatchListNamespacedPodAsync(Namespace, resourceVersion: rv, onError: onError, cancellationToken: ct),
            (pod, gone) => Record(_pods, Seen(pod, gone)), _podsSynced, _stop.Token));
        _leaseLoop = Task.Run(() => FollowAsync(
            async ct => { var l = await client.CoordinationV1.ListNamespacedLeaseAsync(Namespace, cancellationToken: ct); return (l.Items, l.Metadata.ResourceVersion); },
            (rv, onError, ct) => client.CoordinationV1.WatchListNamespacedLeaseAsync(Namespace, resourceVersion: rv, onError: onError, cancellationToken: ct),
            (lease, gone) => Record(_leases, new LeaseSeen(Clock.Now, lease.Metadata.Name, gone ? "" : lease.Spec.HolderIdentity ?? "")), _leasesSynced, _stop.Token));
    }

    /// <summary>Starts watching; returns once both first lists have arrived, so that nothing after this is missed.</summary>
    public static async Task<Observer> StartAsync(IKubernetes client, CancellationToken ct)
    {
        var observer = new Observer(client);
        await Task.WhenAll(observer._podsSynced.Task, observer._leasesSynced.Task).WaitAsync(TimeSpan.FromSeconds(60), ct);
        return observer;
    }

    public IReadOnlyList<PodSeen> Pods { get { lock (_pods) return [.. _pods]; } }

    public IReadOnlyList<LeaseSeen> Leases { get { lock (_leases) return [.. _leases]; } }

    static PodSeen Seen(V1Pod pod, bool gone) => new(Clock.Now, pod.Metadata.Name,
        pod.Metadata.Labels is { } labels && labels.TryGetValue("k8s-app", out var app) ? app : null,
        pod.Metadata.Labels?.ContainsKey(RescueMetadata.ComponentLabel) == true || pod.Metadata.Name.EndsWith("-rescue", StringComparison.Ordinal),
        Recovery.PodState.IsReady(pod), pod.Metadata.DeletionTimestamp is not null, gone);

    void Record<T>(List<T> list, T item)
    {
        lock (list) list.Add(item);
        Changed.Raise();
    }

    /// <summary>List, then watch from the list's resourceVersion; after an error, list again (recording what vanished meanwhile).</summary>
    static async Task FollowAsync<T>(Func<CancellationToken, Task<(IList<T> Items, string Rv)>> list,
        Func<string, Action<Exception>, CancellationToken, IAsyncEnumerable<(WatchEventType, T)>> watch,
        Action<T, bool> record, TaskCompletionSource synced, CancellationToken ct) where T : IKubernetesObject<V1ObjectMeta>
    {
        var known = new Dictionary<string, T>(StringComparer.Ordinal);
        while (!ct.IsCancellationRequested)
        {
            try
            {
                var (items, rv) = await list(ct);
                foreach (var vanished in known.Keys.Except(items.Select(i => i.Metadata.Name)).ToList())
                {
                    record(known[vanished], true);
                    known.Remove(vanished);
                }
                foreach (var item in items)
                {
                    known[item.Metadata.Name] = item;
                    record(item, false);
                }
                synced.TrySetResult();
                await foreach (var (type, item) in watch(rv, _ => { }, ct))
                {
                    if (type == WatchEventType.Bookmark) continue;
                    var gone = type == WatchEventType.Deleted;
                    if (gone) known.Remove(item.Metadata.Name);
                    else known[item.Metadata.Name] = item;
                    record(item, gone);
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is HttpOperationException or HttpRequestException or IOException or KubernetesException)
            {
                try { await Task.Delay(TimeSpan.FromMilliseconds(200), ct); }
                catch (OperationCanceledException) { return; }
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_podLoop, _leaseLoop);
        _stop.Dispose();
    }
}
