using k8s;
using k8s.Models;
using KubeRescue.Kube;

namespace KubeRescue.Diagnosis;

/// <summary>
/// Reads the control plane's state with a few targeted requests (names, label and field selectors, <c>limit</c>;
/// never a list of every pod in the cluster) and judges it. Read-only. Connection and authorization failures of
/// those reads propagate; the health endpoints' failures are evidence.
/// </summary>
public static class ControlPlaneDiagnoser
{
    /// <summary>Unscheduled pods read at most: kubectl's page size.</summary>
    public const int PendingPageSize = 500;

    public const string PendingFieldSelector = "spec.nodeName=,status.phase=Pending";

    public static Task<ControlPlaneStatus> DiagnoseAsync(IKubernetes client, CancellationToken ct) => DiagnoseAsync(client, TimeProvider.System, ct);

    public static async Task<ControlPlaneStatus> DiagnoseAsync(IKubernetes client, TimeProvider clock, CancellationToken ct)
    {
        var apiServer = ApiServerProbe.ProbeAsync(client, ct);
        var mastersTask = ReadMastersAsync(client, ct);
        var daemonSets = ReadDaemonSetsAsync(client, ct);
        var pending = ReadPendingAsync(client, ct);
        var readingsTask = Task.WhenAll(ControlPlaneComponent.All.Select(c => ReadComponentAsync(client, c, ct)));
        var masters = await mastersTask;
        var nodeReady = masters.ToDictionary(m => m.Name, m => m.Ready);
        var readings = await readingsTask;

        // Each component's reading, completed with what is read once for all: the backlog for the scheduler, and
        // for the others whether the controller-manager leads.
        var now = clock.GetUtcNow().UtcDateTime;
        var controllerManager = readings.Single(r => r.Component == ControlPlaneComponent.ControllerManager);
        var controllerManagerLeads = controllerManager.Leader?.HeldAt(now) == true;
        var pendingList = await pending;
        var components = readings.Select(r => ComponentJudge.Diagnose(r with
        {
            NodeReady = nodeReady,
            Pending = r.Component == ControlPlaneComponent.Scheduler ? pendingList : null,
            ControllerManagerLeads = r.Component == ControlPlaneComponent.ControllerManager ? null : controllerManagerLeads,
        }, now)).ToList();
        var health = await apiServer;
        var overall = ClusterEvidence.Worst(components.Select(c => c.Verdict).Append(health.Verdict));
        return new(now, overall, health, components, await daemonSets, masters);
    }

    public static Task<ComponentStatus> DiagnoseAsync(IKubernetes client, ControlPlaneComponent component, CancellationToken ct) =>
        DiagnoseAsync(client, component, TimeProvider.System, ct);

    /// <summary>One component: its own reads, the masters' readiness, and what its verdict needs of the rest.</summary>
    public static async Task<ComponentStatus> DiagnoseAsync(IKubernetes client, ControlPlaneComponent component, TimeProvider clock, CancellationToken ct)
    {
        var masters = ReadMastersAsync(client, ct);
        var pending = component == ControlPlaneComponent.Scheduler ? ReadPendingAsync(client, ct) : Task.FromResult<V1PodList?>(null);
        var controllerManagerLeader = component == ControlPlaneComponent.ControllerManager ? Task.FromResult<LeaderRecord?>(null)
            : ReadLeaderAsync(client, ControlPlaneComponent.ControllerManager, ct);
        var reading = await ReadComponentAsync(client, component, ct);
        var now = clock.GetUtcNow().UtcDateTime;
        return ComponentJudge.Diagnose(reading with
        {
            NodeReady = (await masters).ToDictionary(m => m.Name, m => m.Ready),
            Pending = await pending,
            ControllerManagerLeads = component == ControlPlaneComponent.ControllerManager ? null : (await controllerManagerLeader)?.HeldAt(now) == true,
        }, now);
    }

    /// <summary>
    /// The workload (Deployment, else DaemonSet, else kubeadm's mirror pods), its pods by its own selector, the
    /// rescue pods by their label, the Deployment's ReplicaSets, and the leader-election record.
    /// </summary>
    public static async Task<ComponentReading> ReadComponentAsync(IKubernetes client, ControlPlaneComponent component, CancellationToken ct)
    {
        var ns = component.Namespace;
        var leader = ReadLeaderAsync(client, component, ct);
        var rescues = client.CoreV1.ListNamespacedPodAsync(ns, labelSelector: $"{RescueMetadata.ComponentLabel}={component.Name}", cancellationToken: ct);
        var deployment = await Reads.OrNullAsync(() => client.AppsV1.ReadNamespacedDeploymentAsync(component.Name, ns, cancellationToken: ct));
        var daemonSet = deployment is null ? await Reads.OrNullAsync(() => client.AppsV1.ReadNamespacedDaemonSetAsync(component.Name, ns, cancellationToken: ct)) : null;

        IEnumerable<V1Pod> pods;
        IList<V1ReplicaSet> replicaSets = [];
        if (deployment is not null || daemonSet is not null)
        {
            var (selector, template) = deployment is not null
                ? (deployment.Spec.Selector, deployment.Spec.Template)
                : (daemonSet!.Spec.Selector, daemonSet.Spec.Template);
            // An object without a selector (extensions/v1beta1) selects its template's labels; failing both, the
            // component's k8s-app label: never an unfiltered list.
            var labels = LabelSelectors.ForWorkload(selector, template) ?? $"k8s-app={component.Name}";
            var podList = client.CoreV1.ListNamespacedPodAsync(ns, labelSelector: labels, cancellationToken: ct);
            if (deployment is not null)
                replicaSets = (await client.AppsV1.ListNamespacedReplicaSetAsync(ns, labelSelector: labels, cancellationToken: ct)).Items;
            pods = (await podList).Items;
        }
        else
        {
            // kubeadm: static pods, seen through their mirror pods.
            pods = (await client.CoreV1.ListNamespacedPodAsync(ns, labelSelector: $"component={component.Name}", cancellationToken: ct)).Items
                .Where(p => p.Metadata.Annotations?.ContainsKey(ComponentEvidence.MirrorAnnotation) == true);
        }
        return new(component)
        {
            Deployment = deployment,
            DaemonSet = daemonSet,
            Pods = [.. pods, .. (await rescues).Items],
            ReplicaSets = [.. replicaSets],
            Leader = await leader,
        };
    }

    /// <summary>The Lease; on clusters from before Lease locks, the record annotated on an Endpoints, else a ConfigMap, of the same name.</summary>
    public static async Task<LeaderRecord?> ReadLeaderAsync(IKubernetes client, ControlPlaneComponent component, CancellationToken ct)
    {
        var (ns, name) = (component.Namespace, component.LeaseName);
        if (await Reads.OrNullAsync(() => client.CoordinationV1.ReadNamespacedLeaseAsync(name, ns, cancellationToken: ct)) is { } lease)
            return LeaderRecord.FromLease(lease);
        if (await Reads.OrNullAsync(() => client.CoreV1.ReadNamespacedEndpointsAsync(name, ns, cancellationToken: ct)) is { } endpoints
            && LeaderRecord.FromAnnotation(endpoints.Metadata.Annotations, "Endpoints") is { } fromEndpoints)
            return fromEndpoints;
        return await Reads.OrNullAsync(() => client.CoreV1.ReadNamespacedConfigMapAsync(name, ns, cancellationToken: ct)) is { } configMap
            ? LeaderRecord.FromAnnotation(configMap.Metadata.Annotations, "ConfigMap")
            : null;
    }

    /// <summary>Nodes with either master role label (a label selector cannot say "or": two lists).</summary>
    static async Task<IReadOnlyList<MasterEvidence>> ReadMastersAsync(IKubernetes client, CancellationToken ct)
    {
        var lists = await Task.WhenAll(ClusterEvidence.MasterLabels.Select(label => client.CoreV1.ListNodeAsync(labelSelector: label, cancellationToken: ct)));
        return lists.SelectMany(l => l.Items).DistinctBy(n => n.Metadata.Name).OrderBy(n => n.Metadata.Name, StringComparer.Ordinal)
            .Select(ClusterEvidence.Master).ToList();
    }

    static async Task<IReadOnlyList<DaemonSetEvidence>> ReadDaemonSetsAsync(IKubernetes client, CancellationToken ct)
    {
        var labelled = (await client.AppsV1.ListNamespacedDaemonSetAsync("kube-system", labelSelector: ClusterEvidence.ControlPlaneSelector, cancellationToken: ct)).Items;
        var named = await Task.WhenAll(ClusterEvidence.ControlPlaneDaemonSets.Where(n => labelled.All(ds => ds.Metadata.Name != n))
            .Select(n => Reads.OrNullAsync(() => client.AppsV1.ReadNamespacedDaemonSetAsync(n, "kube-system", cancellationToken: ct))));
        return labelled.Concat(named.OfType<V1DaemonSet>()).OrderBy(ds => ds.Metadata.Name, StringComparer.Ordinal).Select(ClusterEvidence.DaemonSet).ToList();
    }

    static async Task<V1PodList?> ReadPendingAsync(IKubernetes client, CancellationToken ct) =>
        await client.CoreV1.ListPodForAllNamespacesAsync(fieldSelector: PendingFieldSelector, limit: PendingPageSize, cancellationToken: ct);
}
