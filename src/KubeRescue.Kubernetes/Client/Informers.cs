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
        WatchStream.Path(Collection("/api/v1", ns, "pods"), labelSelector, fieldSelector), transform, options);

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
            WatchStream.Path(Collection("/apis/coordination.k8s.io/v1", ns, "leases"), null, byName), null, options);
    }

    public static Informer<V1Node> Nodes(IKubernetes client, Func<V1Node, V1Node>? transform = null, InformerOptions? options = null) =>
        All(client, "/api/v1/nodes", async ct => { var l = await client.CoreV1.ListNodeAsync(cancellationToken: ct); return (l.Items, l.Metadata.ResourceVersion); }, transform, options);

    public static Informer<V1Namespace> Namespaces(IKubernetes client, InformerOptions? options = null) =>
        All(client, "/api/v1/namespaces", async ct => { var l = await client.CoreV1.ListNamespaceAsync(cancellationToken: ct); return (l.Items, l.Metadata.ResourceVersion); }, null, options);

    public static Informer<V1Deployment> Deployments(IKubernetes client, InformerOptions? options = null) =>
        All(client, "/apis/apps/v1/deployments", async ct => { var l = await client.AppsV1.ListDeploymentForAllNamespacesAsync(cancellationToken: ct); return (l.Items, l.Metadata.ResourceVersion); }, null, options);

    public static Informer<V1ReplicaSet> ReplicaSets(IKubernetes client, InformerOptions? options = null) =>
        All(client, "/apis/apps/v1/replicasets", async ct => { var l = await client.AppsV1.ListReplicaSetForAllNamespacesAsync(cancellationToken: ct); return (l.Items, l.Metadata.ResourceVersion); }, null, options);

    public static Informer<V1DaemonSet> DaemonSets(IKubernetes client, InformerOptions? options = null) =>
        All(client, "/apis/apps/v1/daemonsets", async ct => { var l = await client.AppsV1.ListDaemonSetForAllNamespacesAsync(cancellationToken: ct); return (l.Items, l.Metadata.ResourceVersion); }, null, options);

    public static Informer<V1ServiceAccount> ServiceAccounts(IKubernetes client, InformerOptions? options = null) =>
        All(client, "/api/v1/serviceaccounts", async ct => { var l = await client.CoreV1.ListServiceAccountForAllNamespacesAsync(cancellationToken: ct); return (l.Items, l.Metadata.ResourceVersion); }, null, options);

    public static Informer<V1ConfigMap> ConfigMaps(IKubernetes client, InformerOptions? options = null) =>
        All(client, "/api/v1/configmaps", async ct => { var l = await client.CoreV1.ListConfigMapForAllNamespacesAsync(cancellationToken: ct); return (l.Items, l.Metadata.ResourceVersion); }, null, options);

    public static Informer<V1Secret> Secrets(IKubernetes client, InformerOptions? options = null) =>
        All(client, "/api/v1/secrets", async ct => { var l = await client.CoreV1.ListSecretForAllNamespacesAsync(cancellationToken: ct); return (l.Items, l.Metadata.ResourceVersion); }, null, options);

    public static Informer<V1Service> Services(IKubernetes client, InformerOptions? options = null) =>
        All(client, "/api/v1/services", async ct => { var l = await client.CoreV1.ListServiceForAllNamespacesAsync(cancellationToken: ct); return (l.Items, l.Metadata.ResourceVersion); }, null, options);

    public static Informer<V1Endpoints> Endpoints(IKubernetes client, InformerOptions? options = null) =>
        All(client, "/api/v1/endpoints", async ct => { var l = await client.CoreV1.ListEndpointsForAllNamespacesAsync(cancellationToken: ct); return (l.Items, l.Metadata.ResourceVersion); }, null, options);

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
        WatchStream.Path(Collection("/apis/coordination.k8s.io/v1", ns, "leases"), null, null), null, options);

    public static Informer<V1PodDisruptionBudget> PodDisruptionBudgets(IKubernetes client, InformerOptions? options = null) =>
        All(client, "/apis/policy/v1/poddisruptionbudgets", async ct => { var l = await client.PolicyV1.ListPodDisruptionBudgetForAllNamespacesAsync(cancellationToken: ct); return (l.Items, l.Metadata.ResourceVersion); }, null, options);

    static Informer<T> All<T>(IKubernetes client, string path, Informer<T>.ListFunc list, Func<T, T>? transform, InformerOptions? options)
        where T : class, IKubernetesObject<V1ObjectMeta> => new(client, list, WatchStream.Path(path, null, null), transform, options);

    static string Collection(string groupVersion, string? ns, string plural) =>
        ns is null ? $"{groupVersion}/{plural}" : $"{groupVersion}/namespaces/{Uri.EscapeDataString(ns)}/{plural}";
}
