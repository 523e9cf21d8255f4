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
        Listed<V1Pod, V1PodList>(ct => ns is null
            ? client.CoreV1.ListPodForAllNamespacesAsync(labelSelector: labelSelector, fieldSelector: fieldSelector, cancellationToken: ct)
            : client.CoreV1.ListNamespacedPodAsync(ns, labelSelector: labelSelector, fieldSelector: fieldSelector, cancellationToken: ct)),
        WatchStream.Path(ApiResources.Pods.Path(ns), labelSelector, fieldSelector), transform, options);

    /// <summary>One Lease, followed by a field selector on its name (it may not exist yet).</summary>
    public static Informer<V1Lease> Lease(IKubernetes client, string ns, string name, InformerOptions? options = null)
    {
        var byName = $"metadata.name={name}";
        return new(
            client,
            Listed<V1Lease, V1LeaseList>(ct => client.CoordinationV1.ListNamespacedLeaseAsync(ns, fieldSelector: byName, cancellationToken: ct)),
            WatchStream.Path(ApiResources.Leases.Path(ns), null, byName), null, options);
    }

    public static Informer<V1Node> Nodes(IKubernetes client, Func<V1Node, V1Node>? transform = null, InformerOptions? options = null) =>
        All(client, ApiResources.Nodes, ct => client.CoreV1.ListNodeAsync(cancellationToken: ct), transform, options);

    public static Informer<V1Namespace> Namespaces(IKubernetes client, InformerOptions? options = null) =>
        All<V1Namespace, V1NamespaceList>(client, ApiResources.Namespaces, ct => client.CoreV1.ListNamespaceAsync(cancellationToken: ct), null, options);

    public static Informer<V1Deployment> Deployments(IKubernetes client, InformerOptions? options = null) =>
        All<V1Deployment, V1DeploymentList>(client, ApiResources.Deployments, ct => client.AppsV1.ListDeploymentForAllNamespacesAsync(cancellationToken: ct), null, options);

    public static Informer<V1ReplicaSet> ReplicaSets(IKubernetes client, InformerOptions? options = null) =>
        All<V1ReplicaSet, V1ReplicaSetList>(client, ApiResources.ReplicaSets, ct => client.AppsV1.ListReplicaSetForAllNamespacesAsync(cancellationToken: ct), null, options);

    public static Informer<V1DaemonSet> DaemonSets(IKubernetes client, InformerOptions? options = null) =>
        All<V1DaemonSet, V1DaemonSetList>(client, ApiResources.DaemonSets, ct => client.AppsV1.ListDaemonSetForAllNamespacesAsync(cancellationToken: ct), null, options);

    public static Informer<V1ServiceAccount> ServiceAccounts(IKubernetes client, InformerOptions? options = null) =>
        All<V1ServiceAccount, V1ServiceAccountList>(client, ApiResources.ServiceAccounts, ct => client.CoreV1.ListServiceAccountForAllNamespacesAsync(cancellationToken: ct), null, options);

    public static Informer<V1ConfigMap> ConfigMaps(IKubernetes client, InformerOptions? options = null) =>
        All<V1ConfigMap, V1ConfigMapList>(client, ApiResources.ConfigMaps, ct => client.CoreV1.ListConfigMapForAllNamespacesAsync(cancellationToken: ct), null, options);

    public static Informer<V1Secret> Secrets(IKubernetes client, InformerOptions? options = null) =>
        All<V1Secret, V1SecretList>(client, ApiResources.Secrets, ct => client.CoreV1.ListSecretForAllNamespacesAsync(cancellationToken: ct), null, options);

    public static Informer<V1Service> Services(IKubernetes client, InformerOptions? options = null) =>
        All<V1Service, V1ServiceList>(client, ApiResources.Services, ct => client.CoreV1.ListServiceForAllNamespacesAsync(cancellationToken: ct), null, options);

    public static Informer<V1Endpoints> Endpoints(IKubernetes client, InformerOptions? options = null) =>
        All<V1Endpoints, V1EndpointsList>(client, ApiResources.Endpoints, ct => client.CoreV1.ListEndpointsForAllNamespacesAsync(cancellationToken: ct), null, options);

    /// <summary>The Leases of one namespace, or of every namespace when <paramref name="ns"/> is null.</summary>
    public static Informer<V1Lease> Leases(IKubernetes client, string? ns = null, InformerOptions? options = null) => new(
        client,
        Listed<V1Lease, V1LeaseList>(ct => ns is null
            ? client.CoordinationV1.ListLeaseForAllNamespacesAsync(cancellationToken: ct)
            : client.CoordinationV1.ListNamespacedLeaseAsync(ns, cancellationToken: ct)),
        WatchStream.Path(ApiResources.Leases.Path(ns), null, null), null, options);

    public static Informer<V1PodDisruptionBudget> PodDisruptionBudgets(IKubernetes client, InformerOptions? options = null) =>
        All<V1PodDisruptionBudget, V1PodDisruptionBudgetList>(client, ApiResources.PodDisruptionBudgets, ct => client.PolicyV1.ListPodDisruptionBudgetForAllNamespacesAsync(cancellationToken: ct), null, options);

    /// <summary>Every object of a resource in the cluster, listed by the client's typed call.</summary>
    static Informer<T> All<T, TList>(IKubernetes client, ApiResource resource, Func<CancellationToken, Task<TList>> list, Func<T, T>? transform, InformerOptions? options)
        where T : class, IKubernetesObject<V1ObjectMeta> where TList : IItems<T>, IMetadata<V1ListMeta> =>
        new(client, Listed<T, TList>(list), WatchStream.Path(resource.Path(), null, null), transform, options);

    static Informer<T>.ListFunc Listed<T, TList>(Func<CancellationToken, Task<TList>> list)
        where T : class, IKubernetesObject<V1ObjectMeta> where TList : IItems<T>, IMetadata<V1ListMeta> =>
        async ct =>
        {
            var page = await list(ct);
            return (page.Items, page.Metadata.ResourceVersion);
        };
}
