using k8s;
using k8s.Models;
using KubeRescue.Kube;
using KubeRescue.Kubernetes.Client;

namespace KubeRescue.Bench.Mttr;

/// <summary>One pod as a watch event showed it, at the moment the benchmark received the event.</summary>
sealed record PodSeen(double At, string Name, string? App, bool Rescue, bool Ready, bool Deleting, bool Gone);

/// <summary>A leader-election Lease's holder as a watch event showed it ("" once released).</summary>
sealed record LeaseSeen(double At, string Name, string Holder);

/// <summary>
/// Watches kube-system's pods and Leases (informers, so a cut watch resumes and a relist shows what vanished) and
/// records every change with the time it arrived, on the benchmark's clock: the timeline the floor is computed from.
/// Every change also raises <see cref="Changed"/>, so that health is judged as soon as something moved.
/// </summary>
sealed class Observer : IAsyncDisposable
{
    const string Namespace = "kube-system";

    readonly List<PodSeen> _podsSeen = [];
    readonly List<LeaseSeen> _leasesSeen = [];
    readonly Informer<V1Pod> _pods;
    readonly Informer<V1Lease> _leases;

    public ChangeSignal Changed { get; } = new();

    Observer(IKubernetes client)
    {
        _pods = Informers.Pods(client, Namespace);
        _pods.Added += pod => Record(_podsSeen, Seen(pod, false));
        _pods.Updated += (_, pod) => Record(_podsSeen, Seen(pod, false));
        _pods.Deleted += pod => Record(_podsSeen, Seen(pod, true));
        _leases = Informers.Leases(client, Namespace);
        _leases.Added += lease => Record(_leasesSeen, Seen(lease, false));
        _leases.Updated += (_, lease) => Record(_leasesSeen, Seen(lease, false));
        _leases.Deleted += lease => Record(_leasesSeen, Seen(lease, true));
        _pods.Start();
        _leases.Start();
    }

    /// <summary>Starts watching; returns once both first lists have arrived, so that nothing after this is missed.</summary>
    public static async Task<Observer> StartAsync(IKubernetes client, CancellationToken ct)
    {
        var observer = new Observer(client);
        await Task.WhenAll(observer._pods.Synced, observer._leases.Synced).WaitAsync(TimeSpan.FromSeconds(60), ct);
        return observer;
    }

    public IReadOnlyList<PodSeen> Pods { get { lock (_podsSeen) return [.. _podsSeen]; } }

    public IReadOnlyList<LeaseSeen> Leases { get { lock (_leasesSeen) return [.. _leasesSeen]; } }

    static PodSeen Seen(V1Pod pod, bool gone) => new(Clock.Now, pod.Metadata.Name,
        pod.Metadata.Labels is { } labels && labels.TryGetValue("k8s-app", out var app) ? app : null,
        pod.Metadata.Labels?.ContainsKey(RescueMetadata.ComponentLabel) == true || pod.Metadata.Name.EndsWith("-rescue", StringComparison.Ordinal),
        Recovery.PodState.IsReady(pod), pod.Metadata.DeletionTimestamp is not null, gone);

    static LeaseSeen Seen(V1Lease lease, bool gone) => new(Clock.Now, lease.Metadata.Name, gone ? "" : lease.Spec.HolderIdentity ?? "");

    void Record<T>(List<T> list, T item)
    {
        lock (list) list.Add(item);
        Changed.Raise();
    }

    public async ValueTask DisposeAsync()
    {
        await _pods.DisposeAsync();
        await _leases.DisposeAsync();
    }
}
