using System.Runtime.CompilerServices;
using k8s;
using k8s.Models;
using KubeRescue.Lab.Components;

namespace KubeRescue.Lab.ControlPlane.ControllerManager.Support;

/// <summary>
/// Informers for the kinds <see cref="SharedInformers"/> does not offer (namespaces, service accounts, config maps,
/// secrets, services, endpoints, events, leases, PDBs), shared the same way: one per kind for all the controllers
/// of a process, keyed on that process's <see cref="SharedInformers"/>. They run until the stop token of the
/// controller that first asked for them, which is the process's leadership, as for the shared ones.
/// </summary>
public sealed class MoreInformers
{
    static readonly ConditionalWeakTable<SharedInformers, MoreInformers> PerProcess = new();

    readonly IKubernetes _client;
    readonly CancellationToken _stop;
    readonly Dictionary<Type, object> _informers = [];
    readonly Lock _gate = new();

    MoreInformers(IKubernetes client, CancellationToken stop)
    {
        _client = client;
        _stop = stop;
    }

    public static MoreInformers Of(ControllerContext context, CancellationToken stop) =>
        PerProcess.GetValue(context.Informers, _ => new MoreInformers(context.Client, stop));

    public Informer<V1Namespace> Namespaces => Get(c => new Informer<V1Namespace>(
        async ct => { var l = await c.CoreV1.ListNamespaceAsync(cancellationToken: ct); return (l.Items, l.Metadata.ResourceVersion); },
        (rv, onError, ct) => c.CoreV1.WatchListNamespaceAsync(resourceVersion: rv, allowWatchBookmarks: true, onError: onError, cancellationToken: ct)));

    public Informer<V1ServiceAccount> ServiceAccounts => Get(c => new Informer<V1ServiceAccount>(
        async ct => { var l = await c.CoreV1.ListServiceAccountForAllNamespacesAsync(cancellationToken: ct); return (l.Items, l.Metadata.ResourceVersion); },
        (rv, onError, ct) => c.CoreV1.WatchListServiceAccountForAllNamespacesAsync(resourceVersion: rv, allowWatchBookmarks: true, onError: onError, cancellationToken: ct)));

    public Informer<V1ConfigMap> ConfigMaps => Get(c => new Informer<V1ConfigMap>(
        async ct => { var l = await c.CoreV1.ListConfigMapForAllNamespacesAsync(cancellationToken: ct); return (l.Items, l.Metadata.ResourceVersion); },
        (rv, onError, ct) => c.CoreV1.WatchListConfigMapForAllNamespacesAsync(resourceVersion: rv, allowWatchBookmarks: true, onError: onError, cancellationToken: ct)));

    public Informer<V1Secret> Secrets => Get(c => new Informer<V1Secret>(
        async ct => { var l = await c.CoreV1.ListSecretForAllNamespacesAsync(cancellationToken: ct); return (l.Items, l.Metadata.ResourceVersion); },
        (rv, onError, ct) => c.CoreV1.WatchListSecretForAllNamespacesAsync(resourceVersion: rv, allowWatchBookmarks: true, onError: onError, cancellationToken: ct)));

    public Informer<V1Service> Services => Get(c => new Informer<V1Service>(
        async ct => { var l = await c.CoreV1.ListServiceForAllNamespacesAsync(cancellationToken: ct); return (l.Items, l.Metadata.ResourceVersion); },
        (rv, onError, ct) => c.CoreV1.WatchListServiceForAllNamespacesAsync(resourceVersion: rv, allowWatchBookmarks: true, onError: onError, cancellationToken: ct)));

    public Informer<V1Endpoints> Endpoints => Get(c => new Informer<V1Endpoints>(
        async ct => { var l = await c.CoreV1.ListEndpointsForAllNamespacesAsync(cancellationToken: ct); return (l.Items, l.Metadata.ResourceVersion); },
        (rv, onError, ct) => c.CoreV1.WatchListEndpointsForAllNamespacesAsync(resourceVersion: rv, allowWatchBookmarks: true, onError: onError, cancellationToken: ct)));

    public Informer<Corev1Event> Events => Get(c => new Informer<Corev1Event>(
        async ct => { var l = await c.CoreV1.ListEventForAllNamespacesAsync(cancellationToken: ct); return (l.Items, l.Metadata.ResourceVersion); },
        (rv, onError, ct) => c.CoreV1.WatchListEventForAllNamespacesAsync(resourceVersion: rv, allowWatchBookmarks: true, onError: onError, cancellationToken: ct)));

    public Informer<V1Lease> Leases => Get(c => new Informer<V1Lease>(
        async ct => { var l = await c.CoordinationV1.ListLeaseForAllNamespacesAsync(cancellationToken: ct); return (l.Items, l.Metadata.ResourceVersion); },
        (rv, onError, ct) => c.CoordinationV1.WatchListLeaseForAllNamespacesAsync(resourceVersion: rv, allowWatchBookmarks: true, onError: onError, cancellationToken: ct)));

    public Informer<V1PodDisruptionBudget> PodDisruptionBudgets => Get(c => new Informer<V1PodDisruptionBudget>(
        async ct => { var l = await c.PolicyV1.ListPodDisruptionBudgetForAllNamespacesAsync(cancellationToken: ct); return (l.Items, l.Metadata.ResourceVersion); },
        (rv, onError, ct) => c.PolicyV1.WatchListPodDisruptionBudgetForAllNamespacesAsync(resourceVersion: rv, allowWatchBookmarks: true, onError: onError, cancellationToken: ct)));

    Informer<T> Get<T>(Func<IKubernetes, Informer<T>> create) where T : class, IKubernetesObject<V1ObjectMeta>
    {
        lock (_gate)
        {
            if (_informers.TryGetValue(typeof(T), out var existing)) return (Informer<T>)existing;
            var informer = create(_client);
            _informers[typeof(T)] = informer;
            _ = Task.Run(() => informer.RunAsync(_stop), CancellationToken.None);
            return informer;
        }
    }
}
