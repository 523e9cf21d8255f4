using k8s;
using k8s.Models;

namespace KubeRescue.Lab.Components;

/// <summary>
/// One informer per resource for all the controllers of a process, as client-go's SharedInformerFactory gives
/// the controller-manager: each resource is listed and watched once, however many controllers read it.
/// Informers start on first use.
/// </summary>
public sealed class SharedInformers(IKubernetes client, CancellationToken stop)
{
    readonly Dictionary<Type, object> _informers = [];
    readonly List<Task> _running = [];
    readonly Lock _gate = new();

    public Informer<V1Pod> Pods => Get(() => Informers.Pods(client).Indexed());
    public Informer<V1Node> Nodes => Get(() => Informers.Nodes(client));
    public Informer<V1Deployment> Deployments => Get(() => Informers.Deployments(client));
    public Informer<V1ReplicaSet> ReplicaSets => Get(() => Informers.ReplicaSets(client));
    public Informer<V1DaemonSet> DaemonSets => Get(() => Informers.DaemonSets(client));

    public Informer<V1Namespace> Namespaces => Get(() => new Informer<V1Namespace>(
        async ct => { var l = await client.CoreV1.ListNamespaceAsync(cancellationToken: ct); return (l.Items, l.Metadata.ResourceVersion); },
        (rv, onError, ct) => client.CoreV1.WatchListNamespaceAsync(resourceVersion: rv, allowWatchBookmarks: true, onError: onError, cancellationToken: ct)));

    public Informer<V1ServiceAccount> ServiceAccounts => Get(() => new Informer<V1ServiceAccount>(
        async ct => { var l = await client.CoreV1.ListServiceAccountForAllNamespacesAsync(cancellationToken: ct); return (l.Items, l.Metadata.ResourceVersion); },
        (rv, onError, ct) => client.CoreV1.WatchListServiceAccountForAllNamespacesAsync(resourceVersion: rv, allowWatchBookmarks: true, onError: onError, cancellationToken: ct)));

    public Informer<V1ConfigMap> ConfigMaps => Get(() => new Informer<V1ConfigMap>(
        async ct => { var l = await client.CoreV1.ListConfigMapForAllNamespacesAsync(cancellationToken: ct); return (l.Items, l.Metadata.ResourceVersion); },
        (rv, onError, ct) => client.CoreV1.WatchListConfigMapForAllNamespacesAsync(resourceVersion: rv, allowWatchBookmarks: true, onError: onError, cancellationToken: ct)));

    public Informer<V1Secret> Secrets => Get(() => new Informer<V1Secret>(
        async ct => { var l = await client.CoreV1.ListSecretForAllNamespacesAsync(cancellationToken: ct); return (l.Items, l.Metadata.ResourceVersion); },
        (rv, onError, ct) => client.CoreV1.WatchListSecretForAllNamespacesAsync(resourceVersion: rv, allowWatchBookmarks: true, onError: onError, cancellationToken: ct)));

    public Informer<V1Service> Services => Get(() => new Informer<V1Service>(
        async ct => { var l = await client.CoreV1.ListServiceForAllNamespacesAsync(cancellationToken: ct); return (l.Items, l.Metadata.ResourceVersion); },
        (rv, onError, ct) => client.CoreV1.WatchListServiceForAllNamespacesAsync(resourceVersion: rv, allowWatchBookmarks: true, onError: onError, cancellationToken: ct)));

    public Informer<V1Endpoints> Endpoints => Get(() => new Informer<V1Endpoints>(
        async ct => { var l = await client.CoreV1.ListEndpointsForAllNamespacesAsync(cancellationToken: ct); return (l.Items, l.Metadata.ResourceVersion); },
        (rv, onError, ct) => client.CoreV1.WatchListEndpointsForAllNamespacesAsync(resourceVersion: rv, allowWatchBookmarks: true, onError: onError, cancellationToken: ct)));

    public Informer<V1Lease> Leases => Get(() => new Informer<V1Lease>(
        async ct => { var l = await client.CoordinationV1.ListLeaseForAllNamespacesAsync(cancellationToken: ct); return (l.Items, l.Metadata.ResourceVersion); },
        (rv, onError, ct) => client.CoordinationV1.WatchListLeaseForAllNamespacesAsync(resourceVersion: rv, allowWatchBookmarks: true, onError: onError, cancellationToken: ct)));

    public Informer<V1PodDisruptionBudget> PodDisruptionBudgets => Get(() => new Informer<V1PodDisruptionBudget>(
        async ct => { var l = await client.PolicyV1.ListPodDisruptionBudgetForAllNamespacesAsync(cancellationToken: ct); return (l.Items, l.Metadata.ResourceVersion); },
        (rv, onError, ct) => client.PolicyV1.WatchListPodDisruptionBudgetForAllNamespacesAsync(resourceVersion: rv, allowWatchBookmarks: true, onError: onError, cancellationToken: ct)));

    /// <summary>The running informers' tasks, for a clean shutdown.</summary>
    public Task Completion { get { lock (_gate) return Task.WhenAll(_running); } }

    Informer<T> Get<T>(Func<Informer<T>> create) where T : class, IKubernetesObject<V1ObjectMeta>
    {
        lock (_gate)
        {
            if (_informers.TryGetValue(typeof(T), out var existing)) return (Informer<T>)existing;
            var informer = create();
            _informers[typeof(T)] = informer;
            _running.Add(Task.Run(() => informer.RunAsync(stop), CancellationToken.None));
            return informer;
        }
    }
}
