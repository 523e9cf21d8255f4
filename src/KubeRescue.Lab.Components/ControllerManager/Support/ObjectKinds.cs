using System.Net;
using KubeRescue.Kubernetes.Client;
using KubeRescue.Lab.Components;
using k8s.Autorest;
using k8s.Models;
using k8s;

namespace KubeRescue.Lab.Components.ControllerManager.Support;

/// <summary>What the garbage collector and namespace controller see of any object: its metadata, from an informer's cache.</summary>
public interface IObjectCache
{
    IEnumerable<V1ObjectMeta> Items { get; }
    V1ObjectMeta? Get(string? ns, string name);
    Task Synced { get; }
    /// <summary>(old, new): old null on add, new null on delete.</summary>
    event Action<V1ObjectMeta?, V1ObjectMeta?>? Changed;
}

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

/// <summary>One kind the lab serves, with the typed client calls the garbage collector and namespace controller need.</summary>
public sealed class ObjectKind
{
    public required string ApiVersion { get; init; }
    public required string Kind { get; init; }
    public required bool Namespaced { get; init; }
    /// <summary>
    /// The informer the garbage collector watches the kind through; null for a kind it ignores, as upstream's
    /// <c>--gc-ignored-resources</c> default ignores events (a cluster makes several per pod, and none owns anything).
    /// </summary>
    public required Func<ControllerContext, SharedInformers, IObjectCache>? Cache { get; init; }
    /// <summary>A live read (not the cache): the object's metadata, or null when it does not exist.</summary>
    public required Func<IKubernetes, string?, string, CancellationToken, Task<V1ObjectMeta?>> Get { get; init; }
    public required Func<IKubernetes, string?, string, V1DeleteOptions, CancellationToken, Task> Delete { get; init; }
    public required Func<IKubernetes, string?, string, V1Patch, CancellationToken, Task> Patch { get; init; }
    /// <summary>Namespaced kinds: deletecollection in a namespace.</summary>
    public Func<IKubernetes, string, CancellationToken, Task>? DeleteCollection { get; init; }
    /// <summary>Namespaced kinds: a live list of a namespace's objects.</summary>
    public Func<IKubernetes, string, CancellationToken, Task<IReadOnlyList<V1ObjectMeta>>>? List { get; init; }

    public override string ToString() => $"{Kind}.{ApiVersion}";

    internal static async Task<V1ObjectMeta?> OrNull<T>(Task<T> read) where T : IMetadata<V1ObjectMeta>
    {
        try { return (await read).Metadata; }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound) { return null; }
    }
}

/// <summary>The kinds the lab serves, as data: which informer holds each and how the typed client reads, patches and deletes it.</summary>
public static class ObjectKinds
{
    public static IReadOnlyList<ObjectKind> All { get; } =
    [
        new()
        {
            ApiVersion = "v1", Kind = "Pod", Namespaced = true, Cache = (c, _) => new ObjectCache<V1Pod>(c.Informers.Pods),
            Get = (k, ns, n, ct) => ObjectKind.OrNull(k.CoreV1.ReadNamespacedPodAsync(n, ns, cancellationToken: ct)),
            Delete = (k, ns, n, o, ct) => k.CoreV1.DeleteNamespacedPodAsync(n, ns, body: o, cancellationToken: ct),
            Patch = (k, ns, n, p, ct) => k.CoreV1.PatchNamespacedPodAsync(p, n, ns, cancellationToken: ct),
            DeleteCollection = (k, ns, ct) => k.CoreV1.DeleteCollectionNamespacedPodAsync(ns, cancellationToken: ct),
            List = async (k, ns, ct) => (await k.CoreV1.ListNamespacedPodAsync(ns, cancellationToken: ct)).Items.Select(o => o.Metadata).ToList(),
        },
        new()
        {
            ApiVersion = "apps/v1", Kind = "ReplicaSet", Namespaced = true, Cache = (c, _) => new ObjectCache<V1ReplicaSet>(c.Informers.ReplicaSets),
            Get = (k, ns, n, ct) => ObjectKind.OrNull(k.AppsV1.ReadNamespacedReplicaSetAsync(n, ns, cancellationToken: ct)),
            Delete = (k, ns, n, o, ct) => k.AppsV1.DeleteNamespacedReplicaSetAsync(n, ns, body: o, cancellationToken: ct),
            Patch = (k, ns, n, p, ct) => k.AppsV1.PatchNamespacedReplicaSetAsync(p, n, ns, cancellationToken: ct),
            DeleteCollection = (k, ns, ct) => k.AppsV1.DeleteCollectionNamespacedReplicaSetAsync(ns, cancellationToken: ct),
            List = async (k, ns, ct) => (await k.AppsV1.ListNamespacedReplicaSetAsync(ns, cancellationToken: ct)).Items.Select(o => o.Metadata).ToList(),
        },
        new()
        {
            ApiVersion = "apps/v1", Kind = "Deployment", Namespaced = true, Cache = (c, _) => new ObjectCache<V1Deployment>(c.Informers.Deployments),
            Get = (k, ns, n, ct) => ObjectKind.OrNull(k.AppsV1.ReadNamespacedDeploymentAsync(n, ns, cancellationToken: ct)),
            Delete = (k, ns, n, o, ct) => k.AppsV1.DeleteNamespacedDeploymentAsync(n, ns, body: o, cancellationToken: ct),
            Patch = (k, ns, n, p, ct) => k.AppsV1.PatchNamespacedDeploymentAsync(p, n, ns, cancellationToken: ct),
            DeleteCollection = (k, ns, ct) => k.AppsV1.DeleteCollectionNamespacedDeploymentAsync(ns, cancellationToken: ct),
            List = async (k, ns, ct) => (await k.AppsV1.ListNamespacedDeploymentAsync(ns, cancellationToken: ct)).Items.Select(o => o.Metadata).ToList(),
        },
        new()
        {
            ApiVersion = "apps/v1", Kind = "DaemonSet", Namespaced = true, Cache = (c, _) => new ObjectCache<V1DaemonSet>(c.Informers.DaemonSets),
            Get = (k, ns, n, ct) => ObjectKind.OrNull(k.AppsV1.ReadNamespacedDaemonSetAsync(n, ns, cancellationToken: ct)),
            Delete = (k, ns, n, o, ct) => k.AppsV1.DeleteNamespacedDaemonSetAsync(n, ns, body: o, cancellationToken: ct),
            Patch = (k, ns, n, p, ct) => k.AppsV1.PatchNamespacedDaemonSetAsync(p, n, ns, cancellationToken: ct),
            DeleteCollection = (k, ns, ct) => k.AppsV1.DeleteCollectionNamespacedDaemonSetAsync(ns, cancellationToken: ct),
            List = async (k, ns, ct) => (await k.AppsV1.ListNamespacedDaemonSetAsync(ns, cancellationToken: ct)).Items.Select(o => o.Metadata).ToList(),
        },
        new()
        {
            ApiVersion = "v1", Kind = "ConfigMap", Namespaced = true, Cache = (_, m) => new ObjectCache<V1ConfigMap>(m.ConfigMaps),
            Get = (k, ns, n, ct) => ObjectKind.OrNull(k.CoreV1.ReadNamespacedConfigMapAsync(n, ns, cancellationToken: ct)),
            Delete = (k, ns, n, o, ct) => k.CoreV1.DeleteNamespacedConfigMapAsync(n, ns, body: o, cancellationToken: ct),
            Patch = (k, ns, n, p, ct) => k.CoreV1.PatchNamespacedConfigMapAsync(p, n, ns, cancellationToken: ct),
            DeleteCollection = (k, ns, ct) => k.CoreV1.DeleteCollectionNamespacedConfigMapAsync(ns, cancellationToken: ct),
            List = async (k, ns, ct) => (await k.CoreV1.ListNamespacedConfigMapAsync(ns, cancellationToken: ct)).Items.Select(o => o.Metadata).ToList(),
        },
        new()
        {
            ApiVersion = "v1", Kind = "Secret", Namespaced = true, Cache = (_, m) => new ObjectCache<V1Secret>(m.Secrets),
            Get = (k, ns, n, ct) => ObjectKind.OrNull(k.CoreV1.ReadNamespacedSecretAsync(n, ns, cancellationToken: ct)),
            Delete = (k, ns, n, o, ct) => k.CoreV1.DeleteNamespacedSecretAsync(n, ns, body: o, cancellationToken: ct),
            Patch = (k, ns, n, p, ct) => k.CoreV1.PatchNamespacedSecretAsync(p, n, ns, cancellationToken: ct),
            DeleteCollection = (k, ns, ct) => k.CoreV1.DeleteCollectionNamespacedSecretAsync(ns, cancellationToken: ct),
            List = async (k, ns, ct) => (await k.CoreV1.ListNamespacedSecretAsync(ns, cancellationToken: ct)).Items.Select(o => o.Metadata).ToList(),
        },
        new()
        {
            ApiVersion = "v1", Kind = "ServiceAccount", Namespaced = true, Cache = (_, m) => new ObjectCache<V1ServiceAccount>(m.ServiceAccounts),
            Get = (k, ns, n, ct) => ObjectKind.OrNull(k.CoreV1.ReadNamespacedServiceAccountAsync(n, ns, cancellationToken: ct)),
            Delete = (k, ns, n, o, ct) => k.CoreV1.DeleteNamespacedServiceAccountAsync(n, ns, body: o, cancellationToken: ct),
            Patch = (k, ns, n, p, ct) => k.CoreV1.PatchNamespacedServiceAccountAsync(p, n, ns, cancellationToken: ct),
            DeleteCollection = (k, ns, ct) => k.CoreV1.DeleteCollectionNamespacedServiceAccountAsync(ns, cancellationToken: ct),
            List = async (k, ns, ct) => (await k.CoreV1.ListNamespacedServiceAccountAsync(ns, cancellationToken: ct)).Items.Select(o => o.Metadata).ToList(),
        },
        new()
        {
            // Services have no deletecollection upstream: the namespace controller deletes them one by one.
            ApiVersion = "v1", Kind = "Service", Namespaced = true, Cache = (_, m) => new ObjectCache<V1Service>(m.Services),
            Get = (k, ns, n, ct) => ObjectKind.OrNull(k.CoreV1.ReadNamespacedServiceAsync(n, ns, cancellationToken: ct)),
            Delete = (k, ns, n, o, ct) => k.CoreV1.DeleteNamespacedServiceAsync(n, ns, body: o, cancellationToken: ct),
            Patch = (k, ns, n, p, ct) => k.CoreV1.PatchNamespacedServiceAsync(p, n, ns, cancellationToken: ct),
            List = async (k, ns, ct) => (await k.CoreV1.ListNamespacedServiceAsync(ns, cancellationToken: ct)).Items.Select(o => o.Metadata).ToList(),
        },
        new()
        {
            ApiVersion = "v1", Kind = "Endpoints", Namespaced = true, Cache = (_, m) => new ObjectCache<V1Endpoints>(m.Endpoints),
            Get = (k, ns, n, ct) => ObjectKind.OrNull(k.CoreV1.ReadNamespacedEndpointsAsync(n, ns, cancellationToken: ct)),
            Delete = (k, ns, n, o, ct) => k.CoreV1.DeleteNamespacedEndpointsAsync(n, ns, body: o, cancellationToken: ct),
            Patch = (k, ns, n, p, ct) => k.CoreV1.PatchNamespacedEndpointsAsync(p, n, ns, cancellationToken: ct),
            DeleteCollection = (k, ns, ct) => k.CoreV1.DeleteCollectionNamespacedEndpointsAsync(ns, cancellationToken: ct),
            List = async (k, ns, ct) => (await k.CoreV1.ListNamespacedEndpointsAsync(ns, cancellationToken: ct)).Items.Select(o => o.Metadata).ToList(),
        },
        new()
        {
            ApiVersion = "v1", Kind = "Event", Namespaced = true, Cache = null,
            Get = (k, ns, n, ct) => ObjectKind.OrNull(k.CoreV1.ReadNamespacedEventAsync(n, ns, cancellationToken: ct)),
            Delete = (k, ns, n, o, ct) => k.CoreV1.DeleteNamespacedEventAsync(n, ns, body: o, cancellationToken: ct),
            Patch = (k, ns, n, p, ct) => k.CoreV1.PatchNamespacedEventAsync(p, n, ns, cancellationToken: ct),
            DeleteCollection = (k, ns, ct) => k.CoreV1.DeleteCollectionNamespacedEventAsync(ns, cancellationToken: ct),
            List = async (k, ns, ct) => (await k.CoreV1.ListNamespacedEventAsync(ns, cancellationToken: ct)).Items.Select(o => o.Metadata).ToList(),
        },
        new()
        {
            ApiVersion = "coordination.k8s.io/v1", Kind = "Lease", Namespaced = true, Cache = (_, m) => new ObjectCache<V1Lease>(m.Leases),
            Get = (k, ns, n, ct) => ObjectKind.OrNull(k.CoordinationV1.ReadNamespacedLeaseAsync(n, ns, cancellationToken: ct)),
            Delete = (k, ns, n, o, ct) => k.CoordinationV1.DeleteNamespacedLeaseAsync(n, ns, body: o, cancellationToken: ct),
            Patch = (k, ns, n, p, ct) => k.CoordinationV1.PatchNamespacedLeaseAsync(p, n, ns, cancellationToken: ct),
            DeleteCollection = (k, ns, ct) => k.CoordinationV1.DeleteCollectionNamespacedLeaseAsync(ns, cancellationToken: ct),
            List = async (k, ns, ct) => (await k.CoordinationV1.ListNamespacedLeaseAsync(ns, cancellationToken: ct)).Items.Select(o => o.Metadata).ToList(),
        },
        new()
        {
            ApiVersion = "policy/v1", Kind = "PodDisruptionBudget", Namespaced = true, Cache = (_, m) => new ObjectCache<V1PodDisruptionBudget>(m.PodDisruptionBudgets),
            Get = (k, ns, n, ct) => ObjectKind.OrNull(k.PolicyV1.ReadNamespacedPodDisruptionBudgetAsync(n, ns, cancellationToken: ct)),
            Delete = (k, ns, n, o, ct) => k.PolicyV1.DeleteNamespacedPodDisruptionBudgetAsync(n, ns, body: o, cancellationToken: ct),
            Patch = (k, ns, n, p, ct) => k.PolicyV1.PatchNamespacedPodDisruptionBudgetAsync(p, n, ns, cancellationToken: ct),
            DeleteCollection = (k, ns, ct) => k.PolicyV1.DeleteCollectionNamespacedPodDisruptionBudgetAsync(ns, cancellationToken: ct),
            List = async (k, ns, ct) => (await k.PolicyV1.ListNamespacedPodDisruptionBudgetAsync(ns, cancellationToken: ct)).Items.Select(o => o.Metadata).ToList(),
        },
        new()
        {
            // Mirror pods are owned by their Node: deleting a node lets the collector remove them.
            ApiVersion = "v1", Kind = "Node", Namespaced = false, Cache = (c, _) => new ObjectCache<V1Node>(c.Informers.Nodes),
            Get = (k, _, n, ct) => ObjectKind.OrNull(k.CoreV1.ReadNodeAsync(n, cancellationToken: ct)),
            Delete = (k, _, n, o, ct) => k.CoreV1.DeleteNodeAsync(n, body: o, cancellationToken: ct),
            Patch = (k, _, n, p, ct) => k.CoreV1.PatchNodeAsync(p, n, cancellationToken: ct),
        },
        new()
        {
            ApiVersion = "v1", Kind = "Namespace", Namespaced = false, Cache = (_, m) => new ObjectCache<V1Namespace>(m.Namespaces),
            Get = (k, _, n, ct) => ObjectKind.OrNull(k.CoreV1.ReadNamespaceAsync(n, cancellationToken: ct)),
            Delete = (k, _, n, o, ct) => k.CoreV1.DeleteNamespaceAsync(n, body: o, cancellationToken: ct),
            Patch = (k, _, n, p, ct) => k.CoreV1.PatchNamespaceAsync(p, n, cancellationToken: ct),
        },
    ];

    public static ObjectKind? Find(string? apiVersion, string? kind) => All.FirstOrDefault(k => k.ApiVersion == apiVersion && k.Kind == kind);
}
