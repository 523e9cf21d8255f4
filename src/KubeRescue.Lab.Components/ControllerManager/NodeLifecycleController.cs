using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using KubeRescue.Kubernetes.Client;
using KubeRescue.Kubernetes.Scheduling;
using KubeRescue.Lab.Components.ControllerManager.Support;
using KubeRescue.Lab.Components;
using k8s.Autorest;
using k8s.Models;
using k8s;
using static KubeRescue.Lab.Components.ControllerManager.Support.Scheduling;

namespace KubeRescue.Lab.Components.ControllerManager;

/// <summary>
/// The node lifecycle controller (pkg/controller/nodelifecycle). Every node-monitor-period it looks at each node's
/// heartbeats (the Ready condition's lastHeartbeatTime and the kube-node-lease Lease's renewTime), judged on its own
/// clock: a node not heard from for node-monitor-grace-period (node-startup-grace-period before it ever posted
/// Ready) gets its Ready, MemoryPressure, DiskPressure and PIDPressure conditions set to Unknown. It then keeps the
/// node's taints in line with its conditions: unreachable or not-ready as NoExecute (taint-based eviction) and the
/// NoSchedule taints by condition; when a node stops being Ready its pods' Ready conditions go False.
/// Zones as upstream: when every node is not ready ("master disruption mode") the NoExecute taints are removed and no
/// eviction happens; a zone of more than two nodes with 55% or more not ready (a small cluster's partial disruption)
/// gets no new NoExecute taints. Upstream's 0.1 node/s tainting rate is not modelled: taints come at the next pass.
/// </summary>
/// <param name="nodeMonitorGracePeriod">--node-monitor-grace-period, real time (default 50s, the v1.32+ value)</param>
/// <param name="nodeMonitorPeriod">--node-monitor-period, real time (default 5s)</param>
/// <param name="nodeStartupGracePeriod">--node-startup-grace-period, real time (default 60s)</param>
public sealed class NodeLifecycleController(
    TimeSpan? nodeMonitorGracePeriod = null, TimeSpan? nodeMonitorPeriod = null, TimeSpan? nodeStartupGracePeriod = null) : IController
{
    public static readonly TimeSpan DefaultNodeMonitorGracePeriod = TimeSpan.FromSeconds(50);
    public static readonly TimeSpan DefaultNodeMonitorPeriod = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan DefaultNodeStartupGracePeriod = TimeSpan.FromSeconds(60);
    const string NodeLeaseNamespace = "kube-node-lease";
    const string ZoneLabel = "topology.kubernetes.io/zone";
    const string RegionLabel = "topology.kubernetes.io/region";
    const double UnhealthyZoneThreshold = 0.55;
    const int LargeClusterThreshold = 50;

    static readonly string[] MonitoredConditions = ["Ready", "MemoryPressure", "DiskPressure", "PIDPressure"];

    /// <summary>Which condition (and status) puts which NoSchedule taint, as doNoScheduleTaintingPass maps them.</summary>
    static readonly (string Condition, string Status, string Taint)[] NoScheduleTaints =
    [
        ("Ready", "False", Taints.NotReady),
        ("Ready", "Unknown", Taints.Unreachable),
        ("MemoryPressure", "True", Taints.MemoryPressure),
        ("DiskPressure", "True", Taints.DiskPressure),
        ("NetworkUnavailable", "True", Taints.NetworkUnavailable),
        ("PIDPressure", "True", Taints.PidPressure),
    ];

    public string Name => "nodelifecycle";

    /// <summary>What this controller last saw of a node's heartbeats, and when (on its own clock) it last saw one change.</summary>
    sealed record Health(DateTime? Heartbeat, DateTime? LeaseRenew, DateTime ProbeTimestamp, string? ReadyStatus);

    readonly ConcurrentDictionary<string, Health> _health = new();

    public async Task RunAsync(ControllerContext context, CancellationToken stop)
    {
        var nodes = context.Informers.Nodes;
        var pods = context.Informers.Pods;
        var leases = context.Informers.Leases;
        await Task.WhenAll(nodes.Synced, pods.Synced, leases.Synced).WaitAsync(stop);
        var period = context.Timing.Of(nodeMonitorPeriod ?? DefaultNodeMonitorPeriod);
        // wait.UntilWithContext, as upstream runs monitorNodeHealth: the period counts from the end of a pass.
        do
        {
            try
            {
                await MonitorAsync(context, nodes, pods, leases, stop);
            }
            catch (Exception e) when (e is HttpOperationException or HttpRequestException or IOException)
            {
                context.Log.WriteLine($"nodelifecycle: {e.Message}");
            }
        }
        while (await PeriodPassedAsync(period, context.Clock, stop));
    }

    static async Task<bool> PeriodPassedAsync(TimeSpan period, TimeProvider clock, CancellationToken stop)
    {
        try
        {
            await Task.Delay(period, clock, stop);
            return true;
        }
        catch (OperationCanceledException) { return false; }
    }

    async Task MonitorAsync(ControllerContext context, Informer<V1Node> nodes, Informer<V1Pod> pods, Informer<V1Lease> leases, CancellationToken ct)
    {
        var now = context.Clock.GetUtcNow().UtcDateTime;
        var observed = new List<V1Node>();
        foreach (var node in nodes.Items.ToList())
        {
            var wasReady = _health.TryGetValue(node.Metadata.Name, out var before) ? before.ReadyStatus : null;
            if (await UpdateHealthAsync(context, node, leases.Get(NodeLeaseNamespace, node.Metadata.Name), now, ct) is not { } updated) continue;
            observed.Add(updated);
            var ready = Condition(updated, "Ready")?.Status;
            if (ready != "True" && wasReady == "True")
                context.Log.WriteLine($"nodelifecycle: node {node.Metadata.Name} status is now: NodeNotReady");
            if (ready != "True") await MarkPodsNotReadyAsync(context, pods, node.Metadata.Name, ct);
        }
        foreach (var name in _health.Keys.Except(observed.Select(n => n.Metadata.Name))) _health.TryRemove(name, out _);

        // Zone states decide whether NoExecute taints may be added, or must all come off.
        var zones = observed.GroupBy(Zone).ToDictionary(g => g.Key, g => ZoneState(g.ToList()));
        var masterDisruption = zones.Count > 0 && zones.Values.All(s => s == "FullDisruption");
        foreach (var node in observed)
        {
            var zoneState = zones[Zone(node)];
            await SyncTaintsAsync(context, node, masterDisruption, allowNewNoExecute: zoneState != "PartialDisruption" || ZoneSize(observed, node) > LargeClusterThreshold, now, ct);
        }
    }

    static string Zone(V1Node node)
    {
        // Upstream's zone key: region, ":\x00:", zone.
        var labels = node.Metadata.Labels;
        string? region = null, zone = null;
        labels?.TryGetValue(RegionLabel, out region);
        labels?.TryGetValue(ZoneLabel, out zone);
        return $"{region}:\0:{zone}";
    }

    static int ZoneSize(List<V1Node> nodes, V1Node node) => nodes.Count(n => Zone(n) == Zone(node));

    /// <summary>ComputeZoneState: no ready node is a full disruption; more than two not ready and 55% of the zone a partial one.</summary>
    static string ZoneState(List<V1Node> zone)
    {
        var notReady = zone.Count(n => Condition(n, "Ready")?.Status != "True");
        var ready = zone.Count - notReady;
        if (ready == 0 && notReady > 0) return "FullDisruption";
        if (notReady > 2 && (double)notReady / zone.Count >= UnhealthyZoneThreshold) return "PartialDisruption";
        return "Normal";
    }

    /// <summary>
    /// tryUpdateNodeHealth: the node as it stands after this pass (conditions possibly set Unknown). The cached node
    /// is copied only when its conditions are to change: a pass over thousands of healthy nodes changes nothing.
    /// </summary>
    async Task<V1Node?> UpdateHealthAsync(ControllerContext context, V1Node cached, V1Lease? lease, DateTime now, CancellationToken ct)
    {
        var name = cached.Metadata.Name;
        var ready = Condition(cached, "Ready");
        var heartbeat = ready?.LastHeartbeatTime?.ToUniversalTime();
        var renew = lease?.Spec?.RenewTime?.ToUniversalTime();
        var health = _health.AddOrUpdate(name,
            _ => new Health(heartbeat, renew, now, ready?.Status),
            (_, h) => h with
            {
                Heartbeat = heartbeat,
                LeaseRenew = renew,
                ReadyStatus = ready?.Status,
                // A heartbeat counts when it changes, measured on this controller's clock, not the kubelet's.
                ProbeTimestamp = heartbeat != h.Heartbeat || (renew is not null && (h.LeaseRenew is null || renew > h.LeaseRenew)) ? now : h.ProbeTimestamp,
            });
        var grace = context.Timing.Of(ready is null ? nodeStartupGracePeriod ?? DefaultNodeStartupGracePeriod : nodeMonitorGracePeriod ?? DefaultNodeMonitorGracePeriod);
        if (now <= health.ProbeTimestamp + grace) return cached;

        var node = Copies.Deep(cached);
        var changed = false;
        node.Status ??= new V1NodeStatus();
        node.Status.Conditions ??= [];
        foreach (var type in MonitoredConditions)
        {
            var condition = node.Status.Conditions.FirstOrDefault(c => c.Type == type);
            if (condition is null)
            {
                node.Status.Conditions.Add(new V1NodeCondition
                {
                    Type = type, Status = "Unknown", Reason = "NodeStatusNeverUpdated", Message = "Kubelet never posted node status.",
                    LastHeartbeatTime = node.Metadata.CreationTimestamp, LastTransitionTime = now,
                });
                changed = true;
            }
            else if (condition.Status != "Unknown")
            {
                condition.Status = "Unknown";
                condition.Reason = "NodeStatusUnknown";
                condition.Message = "Kubelet stopped posting node status.";
                condition.LastTransitionTime = now;
                changed = true;
            }
        }
        if (!changed) return node;
        try
        {
            var updated = await context.Client.CoreV1.ReplaceNodeStatusAsync(node, name, cancellationToken: ct);
            context.Log.WriteLine($"nodelifecycle: node {name} hasn't been updated for {now - health.ProbeTimestamp:g}: conditions Unknown");
            _health[name] = _health[name] with { ReadyStatus = "Unknown" };
            return updated;
        }
        catch (HttpOperationException e) when (e.Response.StatusCode is HttpStatusCode.Conflict or HttpStatusCode.NotFound)
        {
            return null; // changed meanwhile: the next pass sees the fresh node
        }
    }

    /// <summary>The NoExecute and NoSchedule taints the node's conditions call for, written when they differ.</summary>
    static async Task SyncTaintsAsync(ControllerContext context, V1Node node, bool masterDisruption, bool allowNewNoExecute, DateTime now, CancellationToken ct)
    {
        var current = node.Spec?.Taints?.ToList() ?? [];
        var ready = Condition(node, "Ready")?.Status;

        var wantedNoExecute = masterDisruption ? null : ready switch { "False" => Taints.NotReady, "Unknown" => Taints.Unreachable, _ => null };
        var wantedNoSchedule = NoScheduleTaints.Where(m => Condition(node, m.Condition)?.Status == m.Status).Select(m => m.Taint).ToHashSet();
        if (node.Spec?.Unschedulable == true) wantedNoSchedule.Add(Taints.Unschedulable);

        var managedNoSchedule = NoScheduleTaints.Select(m => m.Taint).Append(Taints.Unschedulable).ToHashSet();
        var next = new List<V1Taint>();
        foreach (var taint in current)
        {
            if (taint.Effect == "NoExecute" && taint.Key is Taints.NotReady or Taints.Unreachable && taint.Key != wantedNoExecute) continue;
            if (taint.Effect == "NoSchedule" && managedNoSchedule.Contains(taint.Key) && !wantedNoSchedule.Contains(taint.Key)) continue;
            next.Add(taint);
        }
        if (wantedNoExecute is not null && allowNewNoExecute && !next.Any(t => t.Key == wantedNoExecute && t.Effect == "NoExecute"))
            next.Add(new V1Taint { Key = wantedNoExecute, Effect = "NoExecute", TimeAdded = now });
        foreach (var key in wantedNoSchedule)
            if (!next.Any(t => t.Key == key && t.Effect == "NoSchedule")) next.Add(new V1Taint { Key = key, Effect = "NoSchedule", TimeAdded = now });

        if (next.Count == current.Count && next.All(current.Contains)) return;
        var taints = new JsonArray(next.Select(t => (JsonNode)JsonNode.Parse(KubernetesJson.Serialize(t))!).ToArray());
        var patch = new JsonObject
        {
            ["metadata"] = new JsonObject { ["resourceVersion"] = node.Metadata.ResourceVersion },
            ["spec"] = new JsonObject { ["taints"] = taints },
        };
        try
        {
            await context.Client.CoreV1.PatchNodeAsync(new V1Patch(patch.ToJsonString(), V1Patch.PatchType.MergePatch), node.Metadata.Name, cancellationToken: ct);
            context.Log.WriteLine($"nodelifecycle: node {node.Metadata.Name} taints: [{string.Join(", ", next.Select(t => $"{t.Key}:{t.Effect}"))}]");
        }
        catch (HttpOperationException e) when (e.Response.StatusCode is HttpStatusCode.Conflict or HttpStatusCode.NotFound)
        {
        }
    }

    /// <summary>MarkPodsNotReady: the Ready condition of each pod bound to the node goes False.</summary>
    static async Task MarkPodsNotReadyAsync(ControllerContext context, Informer<V1Pod> pods, string nodeName, CancellationToken ct)
    {
        foreach (var cached in pods.ByIndex(PodIndexes.ByNode, nodeName).Where(IsReady))
        {
            var pod = Copies.Deep(cached);
            var ready = Condition(pod, "Ready")!;
            ready.Status = "False";
            ready.LastTransitionTime = context.Clock.GetUtcNow().UtcDateTime;
            try
            {
                await context.Client.CoreV1.ReplaceNamespacedPodStatusAsync(pod, pod.Metadata.Name, pod.Metadata.NamespaceProperty, cancellationToken: ct);
                context.Log.WriteLine($"nodelifecycle: marked pod {pod.Metadata.NamespaceProperty}/{pod.Metadata.Name} not ready");
            }
            catch (HttpOperationException e) when (e.Response.StatusCode is HttpStatusCode.Conflict or HttpStatusCode.NotFound)
            {
            }
        }
    }
}

/// <summary>
/// The taint eviction controller (pkg/controller/tainteviction, the former NoExecuteTaintManager, its own
/// --controllers name since 1.29): a pod on a node with a NoExecute taint it does not tolerate is deleted at once;
/// one that tolerates every such taint for a while is deleted once the shortest tolerationSeconds has passed since
/// this controller first saw it so exposed (the API server gives pods 300s for not-ready and unreachable); a toleration
/// without tolerationSeconds keeps it for good. Before deleting, the pod gets the DisruptionTarget condition.
/// </summary>
public sealed class TaintEvictionController : IController
{
    public string Name => "taint-eviction-controller";

    /// <summary>When the eviction of a pod (by uid) was first scheduled, as upstream keeps the timer's start.</summary>
    readonly ConcurrentDictionary<string, DateTime> _scheduled = new();

    public async Task RunAsync(ControllerContext context, CancellationToken stop)
    {
        var nodes = context.Informers.Nodes;
        var pods = context.Informers.Pods;
        var queue = new WorkQueue<string>(context.Timing, context.Clock);
        void EnqueuePod(V1Pod pod) { if (!string.IsNullOrEmpty(pod.Spec?.NodeName)) queue.Add(Informer<V1Pod>.Key(pod.Metadata.NamespaceProperty, pod.Metadata.Name)); }
        void EnqueueNode(V1Node node)
        {
            foreach (var pod in pods.ByIndex(PodIndexes.ByNode, node.Metadata.Name)) EnqueuePod(pod);
        }
        pods.Added += EnqueuePod;
        pods.Updated += (_, p) => EnqueuePod(p);
        pods.Deleted += p => _scheduled.TryRemove(p.Metadata.Uid, out _);
        nodes.Added += EnqueueNode;
        nodes.Updated += (old, node) => { if (!SameNoExecute(old, node)) EnqueueNode(node); };
        nodes.Deleted += EnqueueNode;
        await Task.WhenAll(nodes.Synced, pods.Synced).WaitAsync(stop);
        foreach (var pod in pods.Items) EnqueuePod(pod);
        await queue.RunAsync(async (key, ct) =>
        {
            var parts = key.Split('/');
            var pod = pods.Get(parts[0], parts[1]);
            if (pod is null) return true;
            var node = pod.Spec?.NodeName is { Length: > 0 } nodeName ? nodes.Get(null, nodeName) : null;
            var taints = node?.Spec?.Taints?.Where(t => t.Effect == "NoExecute").ToList() ?? [];
            if (pod.Metadata.DeletionTimestamp is not null || taints.Count == 0)
            {
                _scheduled.TryRemove(pod.Metadata.Uid, out _);
                return true;
            }
            var now = context.Clock.GetUtcNow().UtcDateTime;
            var tolerations = pod.Spec!.Tolerations ?? [];
            if (!taints.All(t => Taints.Tolerated(t, tolerations)))
                return await EvictAsync(context, pod, ct);
            var wait = MinTolerationTime(taints, tolerations);
            if (wait is null)
            {
                _scheduled.TryRemove(pod.Metadata.Uid, out _);
                return true;
            }
            var start = _scheduled.GetOrAdd(pod.Metadata.Uid, now);
            var due = start + context.Timing.Of(wait.Value);
            if (due <= now) return await EvictAsync(context, pod, ct);
            queue.AddAfter(key, due - now, ct);
            return true;
        }, workers: 8, stop);
    }

    static bool SameNoExecute(V1Node a, V1Node b)
    {
        static string Of(V1Node n) => string.Join(",", (n.Spec?.Taints ?? []).Where(t => t.Effect == "NoExecute").Select(t => $"{t.Key}={t.Value}"));
        return Of(a) == Of(b);
    }

    /// <summary>getMinTolerationTime over the tolerations that match the taints: null when one of them is forever.</summary>
    static TimeSpan? MinTolerationTime(List<V1Taint> taints, IList<V1Toleration> tolerations)
    {
        long? min = null;
        foreach (var toleration in tolerations.Where(t => taints.Any(taint => Taints.Tolerates(t, taint))))
        {
            if (toleration.TolerationSeconds is not { } seconds) continue;
            min = Math.Min(min ?? long.MaxValue, Math.Max(seconds, 0));
        }
        return min is null ? null : TimeSpan.FromSeconds(min.Value);
    }

    async Task<bool> EvictAsync(ControllerContext context, V1Pod pod, CancellationToken ct)
    {
        var (ns, name) = (pod.Metadata.NamespaceProperty, pod.Metadata.Name);
        context.Log.WriteLine($"taint-eviction-controller: Marking for deletion Pod {ns}/{name}");
        var condition = new JsonObject
        {
            ["type"] = "DisruptionTarget", ["status"] = "True", ["reason"] = "DeletionByTaintManager",
            ["message"] = "Taint manager: deleting due to NoExecute taint",
            ["lastTransitionTime"] = context.Clock.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture),
        };
        var patch = new JsonObject { ["metadata"] = new JsonObject { ["uid"] = pod.Metadata.Uid }, ["status"] = new JsonObject { ["conditions"] = new JsonArray(condition) } };
        try
        {
            if (Condition(pod, "DisruptionTarget")?.Status != "True")
                await context.Client.CoreV1.PatchNamespacedPodStatusAsync(new V1Patch(patch.ToJsonString(), V1Patch.PatchType.StrategicMergePatch), name, ns, cancellationToken: ct);
            await context.Client.CoreV1.DeleteNamespacedPodAsync(name, ns,
                body: new V1DeleteOptions { Preconditions = new V1Preconditions { Uid = pod.Metadata.Uid } }, cancellationToken: ct);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
        }
        _scheduled.TryRemove(pod.Metadata.Uid, out _);
        return true;
    }
}
