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

    public Informer<V1Pod> Pods => Get(() => Informers.Pods(client));
    public Informer<V1Node> Nodes => Get(() => Informers.Nodes(client));
    public Informer<V1Deployment> Deployments => Get(() => Informers.Deployments(client));
    public Informer<V1ReplicaSet> ReplicaSets => Get(() => Informers.ReplicaSets(client));
    public Informer<V1DaemonSet> DaemonSets => Get(() => Informers.DaemonSets(client));

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
