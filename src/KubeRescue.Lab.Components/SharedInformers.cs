using k8s;
using k8s.Models;
using KubeRescue.Kubernetes.Client;

namespace KubeRescue.Lab.Components;

/// <summary>
/// One informer per resource for all the controllers of a process, as client-go's SharedInformerFactory gives
/// the controller-manager: each resource is listed and watched once, however many controllers read it.
/// Informers start on first use. Pods and nodes, which a large cluster has by the thousand, share their decoded
/// copies (<see cref="SharedCopies"/>).
/// </summary>
public sealed class SharedInformers(IKubernetes client, TimeProvider clock, CancellationToken stop)
{
    readonly InformerOptions _options = new() { Clock = clock };

    readonly Dictionary<Type, object> _informers = [];
    readonly List<Task> _running = [];
    readonly Lock _gate = new();

    public Informer<V1Pod> Pods => Get(() => Informers.Pods(client, transform: SharedCopies.Of, options: _options).Indexed());
    public Informer<V1Node> Nodes => Get(() => Informers.Nodes(client, SharedCopies.Of, _options));
    public Informer<V1Deployment> Deployments => Get(() => Informers.Deployments(client, options: _options));
    public Informer<V1ReplicaSet> ReplicaSets => Get(() => Informers.ReplicaSets(client, options: _options));
    public Informer<V1DaemonSet> DaemonSets => Get(() => Informers.DaemonSets(client, options: _options));
    public Informer<V1Namespace> Namespaces => Get(() => Informers.Namespaces(client, options: _options));
    public Informer<V1ServiceAccount> ServiceAccounts => Get(() => Informers.ServiceAccounts(client, options: _options));
    public Informer<V1ConfigMap> ConfigMaps => Get(() => Informers.ConfigMaps(client, options: _options));
    public Informer<V1Secret> Secrets => Get(() => Informers.Secrets(client, options: _options));
    public Informer<V1Service> Services => Get(() => Informers.Services(client, options: _options));
    public Informer<V1Endpoints> Endpoints => Get(() => Informers.Endpoints(client, options: _options));
    public Informer<V1Lease> Leases => Get(() => Informers.Leases(client, options: _options));
    public Informer<V1PodDisruptionBudget> PodDisruptionBudgets => Get(() => Informers.PodDisruptionBudgets(client, options: _options));

    /// <summary>
    /// A resource's objects by their metadata, from the informer that follows it, for the controllers that handle
    /// any kind (the garbage collector, the namespace controller); null for a resource no informer here follows.
    /// </summary>
    public IObjectCache? Metadata(ApiResource resource) => MetadataCaches.TryGetValue(resource, out var cache) ? cache(this) : null;

    static readonly Dictionary<ApiResource, Func<SharedInformers, IObjectCache>> MetadataCaches = new()
    {
        [ApiResources.Pods] = i => new ObjectCache<V1Pod>(i.Pods),
        [ApiResources.Nodes] = i => new ObjectCache<V1Node>(i.Nodes),
        [ApiResources.Namespaces] = i => new ObjectCache<V1Namespace>(i.Namespaces),
        [ApiResources.Deployments] = i => new ObjectCache<V1Deployment>(i.Deployments),
        [ApiResources.ReplicaSets] = i => new ObjectCache<V1ReplicaSet>(i.ReplicaSets),
        [ApiResources.DaemonSets] = i => new ObjectCache<V1DaemonSet>(i.DaemonSets),
        [ApiResources.ServiceAccounts] = i => new ObjectCache<V1ServiceAccount>(i.ServiceAccounts),
        [ApiResources.ConfigMaps] = i => new ObjectCache<V1ConfigMap>(i.ConfigMaps),
        [ApiResources.Secrets] = i => new ObjectCache<V1Secret>(i.Secrets),
        [ApiResources.Services] = i => new ObjectCache<V1Service>(i.Services),
        [ApiResources.Endpoints] = i => new ObjectCache<V1Endpoints>(i.Endpoints),
        [ApiResources.Leases] = i => new ObjectCache<V1Lease>(i.Leases),
        [ApiResources.PodDisruptionBudgets] = i => new ObjectCache<V1PodDisruptionBudget>(i.PodDisruptionBudgets),
    };

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
