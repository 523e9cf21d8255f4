using k8s;
using k8s.Models;

namespace KubeRescue.Kubernetes.Client;

/// <summary>
/// Informers for the resources kube-rescue and its lab follow: each lists through the client's typed call (AOT-clean)
/// and watches its collection's path. Not started: add handlers and indices, then run or start it.
/// </summary>
public static class Informers
{
    /// <summary>Pods of one namespace, or of every namespace when <paramref name="ns"/> is null, with optional selectors.</summary>
    public static Informer<V1Pod> Pods(IKubernetes client, string? ns = null, string? labelSelector = null, string? fieldSelector = null,
        Func<V1Pod, V1Pod>? transform = null, InformerOptions? options = null) => new(
        client,
        async ct =>
        {
            var list = ns is null
                ? await client.CoreV1.ListPodForAllNamespacesAsync(labelSelector: labelSelector, fieldSelector: fieldSelector, cancellationToken: ct)
                : await client.CoreV1.ListNamespacedPodAsync(ns, labelSelector: labelSelector, fieldSelector: fieldSelector, cancellationToken: ct);
            return (list.Items, list.Metadata.ResourceVersion);
        },
        WatchStream.Path(ApiResources.Pods.Path(ns), labelSelector, fieldSelector), transform, options);

    /// <summary>One Lease, followed by a field selector on its name (it may not exist yet).</summary>
    public static Informer<V1Lease> Lease(IKubernetes client, string ns, string name, InformerOptions? options = null)
    {
        var byName = $"metadata.name={name}";
        return new(
            client,
            async ct =>
            {
                var list = await client.CoordinationV1.ListNamespacedLeaseAsync(ns, fieldSelector: byName, cancellationToken: ct);
                return (list.Items, list.Metadata.ResourceVersion);
            },
            WatchStream.Path(ApiResources.Leases.Path(ns), null, byName), null, options);
    }

    public static Informer<V1Node> Nodes(IKubernetes client, Func<V1Node, V1Node>? transform = null, InformerOptions? options = null) =>
        All(client, ApiResources.Nodes, async ct => { var l = await client.CoreV1.ListNodeAsync(cancellationToken: ct); return (l.Items, l.Metadata.ResourceVersion); }, transform, options);

    public static Informer<V1Namespace> Namespaces(IKubernetes client, InformerOptions? options = null) =>
        All(client, ApiResources.Namespaces, async ct => { var l = await client.CoreV1.ListNamespaceAsync(cancellationToken: ct); return (l.Items, l.Metadata.ResourceVersion); }, null, options);

    public static Informer<V1Deployment> Deployments(IKubernetes client, InformerOptions? options = null) =>
        All(client, ApiResources.Deployments, async ct => { var l = await client.AppsV1.ListDeploymentForAllNamespacesAsync(cancellationToken: ct); return (l.Items, l.Metadata.ResourceVersion); }, null, options);

    public static Informer<V1ReplicaSet> ReplicaSets(IKubernetes client, InformerOptions? options = null) =>
        All(client, ApiResources.ReplicaSets, async ct => { var l = await client.AppsV1.ListReplicaSetForAllNamespacesAsync(cancellationToken: ct); return (l.Items, l.Metadata.ResourceVersion); }, null, options);

    public static Informer<V1DaemonSet> DaemonSets(IKubernetes client, InformerOptions? options = null) =>
        All(client, ApiResources.DaemonSets, async ct => { var l = await client.AppsV1.ListDaemonSetForAllNamespacesAsync(cancellationToken: ct); return (l.Items, l.Metadata.ResourceVersion); }, null, options);

    public static Informer<V1ServiceAccount> ServiceAccounts(IKubernetes client, InformerOptions? options = null) =>
        All(client, ApiResources.ServiceAccounts, async ct => { var l = await client.CoreV1.ListServiceAccountForAllNamespacesAsync(cancellationToken: ct); return (l.Items, l.Metadata.ResourceVersion); }, null, options);

    public static Informer<V1ConfigMap> ConfigMaps(IKubernetes client, InformerOptions? options = null) =>
        All(client, ApiResources.ConfigMaps, async ct => { var l = await client.CoreV1.ListConfigMapForAllNamespacesAsync(cancellationToken: ct); return (l.Items, l.Metadata.ResourceVersion); }, null, options);

    public static Informer<V1Secret> Secrets(IKubernetes client, InformerOptions? options = null) =>
        All(client, ApiResources.Secrets, async ct => { var l = await client.CoreV1.ListSecretForAllNamespacesAsync(cancellationToken: ct); return (l.Items, l.Metadata.ResourceVersion); }, null, options);

    public static Informer<V1Service> Services(IKubernetes client, InformerOptions? options = null) =>
        All(client, ApiResources.Services, async ct => { var l = await client.CoreV1.ListServiceForAllNamespacesAsync(cancellationToken: ct); return (l.Items, l.Metadata.ResourceVersion); }, null, options);

    public static Informer<V1Endpoints> Endpoints(IKubernetes client, InformerOptions? options = null) =>
        All(client, ApiResources.Endpoints, async ct => { var l = await client.CoreV1.ListEndpointsForAllNamespacesAsync(cancellationToken: ct); return (l.Items, l.Metadata.ResourceVersion); }, null, options);

    /// <summary>The Leases of one namespace, or of every namespace when <paramref name="ns"/> is null.</summary>
    public static Informer<V1Lease> Leases(IKubernetes client, string? ns = null, InformerOptions? options = null) => new(
        client,
        async ct =>
        {
            var list = ns is null
                ? await client.CoordinationV1.ListLeaseForAllNamespacesAsync(cancellationToken: ct)
                : await client.CoordinationV1.ListNamespacedLeaseAsync(ns, cancellationToken: ct);
            return (list.Items, list.Metadata.ResourceVersion);
        },
        WatchStream.Path(ApiResources.Leases.Path(ns), null, null), null, options);

    public static Informer<V1PodDisruptionBudget> PodDisruptionBudgets(IKubernetes client, InformerOptions? options = null) =>
        All(client, ApiResources.PodDisruptionBudgets, async ct => { var l = await client.PolicyV1.ListPodDisruptionBudgetForAllNamespacesAsync(cancellationToken: ct); return (l.Items, l.Metadata.ResourceVersion); }, null, options);

    static Informer<T> All<T>(IKubernetes client, ApiResource resource, Informer<T>.ListFunc list, Func<T, T>? transform, InformerOptions? options)
        where T : class, IKubernetesObject<V1ObjectMeta> => new(client, list, WatchStream.Path(resource.Path(), null, null), transform, options);
}
