using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
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
/// The DaemonSet controller (pkg/controller/daemon). One pod per node that the template's nodeSelector and required
/// node affinity select and whose NoSchedule/NoExecute taints it tolerates (with the tolerations upstream adds to
/// every daemon pod). Pods are created unbound, pinned by required node affinity <c>matchFields metadata.name In
/// [node]</c>: the default scheduler binds them (ScheduleDaemonSetPods, always on since 1.17), so with no scheduler
/// they stay Pending, as on a real cluster. A pod whose node stops qualifying is deleted (for NoSchedule taints
/// only if it also does not tolerate a NoExecute one), failed pods are replaced with back-off, extra pods on a node
/// go. RollingUpdate replaces old pods within maxUnavailable; OnDelete waits for the user to delete them.
/// Differences: ControllerRevisions are not served by the lab, so none is written; the revision hash is computed
/// from the template (<see cref="TemplateHash"/>) and kept only as the pods' controller-revision-hash label.
/// Orphan adoption and maxSurge are not modelled.
/// </summary>
public sealed class DaemonSetController : IController
{
    public const string RevisionHashLabel = "controller-revision-hash";
    public const string TemplateGenerationLabel = "pod-template-generation";

    public string Name => "daemonset";

    readonly ConcurrentDictionary<string, (DateTime NotBefore, TimeSpan Delay)> _failedBackoff = new();
    Expectations _expectations = null!;
    WorkQueue<string> _queue = null!;

    public async Task RunAsync(ControllerContext context, CancellationToken stop)
    {
        var daemonSets = context.Informers.DaemonSets;
        var pods = context.Informers.Pods;
        var nodes = context.Informers.Nodes;
        _expectations = new Expectations(context.Timing, context.Clock);
        _queue = new WorkQueue<string>(context.Timing, context.Clock);

        daemonSets.Added += ds => _queue.Add(Key(ds.Metadata));
        daemonSets.Updated += (_, ds) => _queue.Add(Key(ds.Metadata));
        daemonSets.Deleted += ds => { _expectations.Forget(Key(ds.Metadata)); _queue.Add(Key(ds.Metadata)); };
        pods.Added += pod =>
        {
            if (OwnerKey(pod) is not { } owner) return;
            if (pod.Metadata.DeletionTimestamp is not null) _expectations.DeletionObserved(owner, Key(pod.Metadata));
            else _expectations.CreationObserved(owner);
            _queue.Add(owner);
        };
        pods.Updated += (old, pod) =>
        {
            if (OwnerKey(old) is { } previous && previous != OwnerKey(pod)) _queue.Add(previous);
            if (OwnerKey(pod) is not { } owner) return;
            if (pod.Metadata.DeletionTimestamp is not null) _expectations.DeletionObserved(owner, Key(pod.Metadata));
            _queue.Add(owner);
        };
        pods.Deleted += pod =>
        {
            if (OwnerKey(pod) is not { } owner) return;
            _expectations.DeletionObserved(owner, Key(pod.Metadata));
            _queue.Add(owner);
        };
        void All() { foreach (var ds in daemonSets.Items) _queue.Add(Key(ds.Metadata)); }
        nodes.Added += _ => All();
        nodes.Updated += (old, node) => { if (PlacementChanged(old, node)) All(); };
        nodes.Deleted += _ => All();

        await Task.WhenAll(daemonSets.Synced, pods.Synced, nodes.Synced).WaitAsync(stop);
        All();
        await _queue.RunAsync((key, ct) => SyncAsync(context, key, ct), workers: 2, stop);
    }

    static string Key(V1ObjectMeta meta) => Informer<V1Pod>.Key(meta.NamespaceProperty, meta.Name);

    static string? OwnerKey(V1Pod pod) =>
        pod.Metadata.OwnerReferences?.FirstOrDefault(r => r.Controller == true) is { Kind: "DaemonSet" } owner
            ? Informer<V1Pod>.Key(pod.Metadata.NamespaceProperty, owner.Name) : null;

    static bool PlacementChanged(V1Node old, V1Node node)
    {
        static string Of(V1Node n) => string.Join(";", (n.Metadata.Labels ?? new Dictionary<string, string>()).OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}={kv.Value}"))
            + "|" + string.Join(";", (n.Spec?.Taints ?? []).Select(t => $"{t.Key}={t.Value}:{t.Effect}")) + "|" + n.Spec?.Unschedulable;
        return Of(old) != Of(node);
    }

    /// <summary>The tolerations every daemon pod gets (AddOrUpdateDaemonPodTolerations).</summary>
    static IEnumerable<V1Toleration> DaemonTolerations(V1PodSpec spec)
    {
        yield return new V1Toleration { Key = Taints.NotReady, OperatorProperty = "Exists", Effect = "NoExecute" };
        yield return new V1Toleration { Key = Taints.Unreachable, OperatorProperty = "Exists", Effect = "NoExecute" };
        yield return new V1Toleration { Key = Taints.DiskPressure, OperatorProperty = "Exists", Effect = "NoSchedule" };
        yield return new V1Toleration { Key = Taints.MemoryPressure, OperatorProperty = "Exists", Effect = "NoSchedule" };
        yield return new V1Toleration { Key = Taints.PidPressure, OperatorProperty = "Exists", Effect = "NoSchedule" };
        yield return new V1Toleration { Key = Taints.Unschedulable, OperatorProperty = "Exists", Effect = "NoSchedule" };
        if (spec.HostNetwork == true) yield return new V1Toleration { Key = Taints.NetworkUnavailable, OperatorProperty = "Exists", Effect = "NoSchedule" };
    }

    /// <summary>AddOrUpdateTolerationInPodSpec: an identical toleration is kept once; others are added.</summary>
    static List<V1Toleration> WithDaemonTolerations(V1PodSpec spec)
    {
        var tolerations = spec.Tolerations?.ToList() ?? [];
        foreach (var t in DaemonTolerations(spec))
            if (!tolerations.Any(x => x.Key == t.Key && x.OperatorProperty == t.OperatorProperty && (x.Value ?? "") == (t.Value ?? "") && x.Effect == t.Effect && x.TolerationSeconds is null))
                tolerations.Add(t);
        return tolerations;
    }

    /// <summary>NodeShouldRunDaemonPod: (shouldRun, shouldContinueRunning).</summary>
    internal static (bool Run, bool ContinueRunning) ShouldRun(V1DaemonSet ds, V1Node node)
    {
        var spec = ds.Spec.Template.Spec;
        if (!NodeAffinity.MatchesRequired(spec, node)) return (false, false);
        var tolerations = WithDaemonTolerations(spec);
        if (!Taints.Untolerated(node.Spec?.Taints, tolerations, Taints.NoSchedule, Taints.NoExecute).Any()) return (true, true);
        return (false, !Taints.Untolerated(node.Spec?.Taints, tolerations, Taints.NoExecute).Any());
    }

    /// <summary>GetTargetNodeName: the bound node, or the one the pod's node affinity pins it to.</summary>
    static string? TargetNode(V1Pod pod)
    {
        if (!string.IsNullOrEmpty(pod.Spec?.NodeName)) return pod.Spec.NodeName;
        return pod.Spec?.Affinity?.NodeAffinity?.RequiredDuringSchedulingIgnoredDuringExecution?.NodeSelectorTerms?
            .SelectMany(t => t.MatchFields ?? []).FirstOrDefault(r => r.Key == "metadata.name" && r.OperatorProperty == "In" && r.Values is [_])?.Values[0];
    }

    /// <summary>podByCreationTimestampAndPhase: bound pods first, then the oldest.</summary>
    static IEnumerable<V1Pod> Oldest(IEnumerable<V1Pod> pods) => pods
        .OrderBy(p => string.IsNullOrEmpty(p.Spec?.NodeName) ? 1 : 0)
        .ThenBy(p => p.Metadata.CreationTimestamp ?? DateTime.MaxValue)
        .ThenBy(p => p.Metadata.Name, StringComparer.Ordinal);

    static bool IsUpdated(V1Pod pod, string hash, long? generation)
    {
        var labels = pod.Metadata.Labels ?? new Dictionary<string, string>();
        return (labels.TryGetValue(RevisionHashLabel, out var h) && h == hash)
            || (generation is not null && labels.TryGetValue(TemplateGenerationLabel, out var g) && g == generation.Value.ToString(CultureInfo.InvariantCulture));
    }

    async Task<bool> SyncAsync(ControllerContext context, string key, CancellationToken ct)
    {
        var parts = key.Split('/');
        var ds = context.Informers.DaemonSets.Get(parts[0], parts[1]);
        if (ds is null || ds.Metadata.DeletionTimestamp is not null) return true;
        var nodes = context.Informers.Nodes.Items.ToList();
        var hash = TemplateHash.Compute(ds.Spec.Template, ds.Status?.CollisionCount);
        try
        {
            if (_expectations.Satisfied(key))
            {
                await ManageAsync(context, key, ds, nodes, hash, ct);
                if (_expectations.Satisfied(key) && ds.Spec.UpdateStrategy?.Type is null or "RollingUpdate")
                    await RollingUpdateAsync(context, key, ds, hash, ct);
            }
            await UpdateStatusAsync(context, key, ds, nodes, hash, ct);
            return true;
        }
        catch (HttpOperationException e) when (e.Response.StatusCode is HttpStatusCode.Conflict or HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    Dictionary<string, List<V1Pod>> PodsByNode(ControllerContext context, V1DaemonSet ds, bool includeTerminating)
    {
        var byNode = new Dictionary<string, List<V1Pod>>(StringComparer.Ordinal);
        foreach (var pod in context.Informers.Pods.ByIndex(PodIndexes.ByController, ds.Metadata.Uid))
        {
            if (!includeTerminating && pod.Metadata.DeletionTimestamp is not null) continue;
            if (TargetNode(pod) is not { } node) continue;
            if (!byNode.TryGetValue(node, out var list)) byNode[node] = list = [];
            list.Add(pod);
        }
        return byNode;
    }

    /// <summary>manage: which nodes need a pod, which pods must go.</summary>
    async Task ManageAsync(ControllerContext context, string key, V1DaemonSet ds, List<V1Node> nodes, string hash, CancellationToken ct)
    {
        var byNode = PodsByNode(context, ds, includeTerminating: true);
        List<string> needPods = [];
        List<V1Pod> delete = [];
        var now = context.Clock.GetUtcNow().UtcDateTime;
        foreach (var node in nodes)
        {
            var (run, keep) = ShouldRun(ds, node);
            var exists = byNode.TryGetValue(node.Metadata.Name, out var daemonPods);
            if (run && !exists) needPods.Add(node.Metadata.Name);
            else if (keep && exists)
            {
                List<V1Pod> running = [];
                foreach (var pod in daemonPods!.Where(p => p.Metadata.DeletionTimestamp is null))
                {
                    if (pod.Status?.Phase != "Failed")
                    {
                        running.Add(pod);
                        continue;
                    }
                    // Kubelets that keep rejecting a pod must not make the controller hot-loop.
                    var backoffKey = $"{ds.Metadata.Uid}/{node.Metadata.Name}";
                    var (notBefore, delay) = _failedBackoff.GetValueOrDefault(backoffKey, (DateTime.MinValue, TimeSpan.Zero));
                    if (now < notBefore)
                    {
                        _queue.AddAfter(key, notBefore - now, ct);
                        continue;
                    }
                    var next = delay == TimeSpan.Zero ? context.Timing.Seconds(1) : TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, context.Timing.Of(TimeSpan.FromMinutes(15)).Ticks));
                    _failedBackoff[backoffKey] = (now + next, next);
                    context.Log.WriteLine($"daemonset: found failed daemon pod {pod.Metadata.NamespaceProperty}/{pod.Metadata.Name} on node {node.Metadata.Name}, will try to kill it");
                    delete.Add(pod);
                }
                if (running.Count > 1) delete.AddRange(Oldest(running).Skip(1));
            }
            else if (!keep && exists) delete.AddRange(daemonPods!.Where(p => p.Metadata.DeletionTimestamp is null));
        }
        // Unbound pods pinned to a node that no longer exists would never be scheduled.
        var names = nodes.Select(n => n.Metadata.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var (node, daemonPods) in byNode)
            if (!names.Contains(node)) delete.AddRange(daemonPods.Where(p => string.IsNullOrEmpty(p.Spec?.NodeName) && p.Metadata.DeletionTimestamp is null));
        await SyncNodesAsync(context, key, ds, delete, needPods, hash, ct);
    }

    /// <summary>syncNodes: deletions, then creations in slow-start batches (1, 2, 4, ...), expectations around both.</summary>
    async Task SyncNodesAsync(ControllerContext context, string key, V1DaemonSet ds, List<V1Pod> delete, List<string> create, string hash, CancellationToken ct)
    {
        if (delete.Count == 0 && create.Count == 0) return;
        _expectations.Expect(key, create.Count, delete.Select(p => Key(p.Metadata)));

        var created = 0;
        for (var batch = 1; created < create.Count; batch *= 2)
        {
            var nodes = create.Skip(created).Take(batch).ToList();
            var results = await Task.WhenAll(nodes.Select(node => CreatePodAsync(context, ds, node, hash, ct)));
            created += nodes.Count;
            foreach (var ok in results.Where(ok => !ok)) _expectations.CreationObserved(key);
            if (results.Any(ok => !ok))
            {
                // The rest are not attempted this round: they are no longer expected.
                for (var i = created; i < create.Count; i++) _expectations.CreationObserved(key);
                break;
            }
        }

        foreach (var pod in delete)
        {
            try
            {
                await context.Client.CoreV1.DeleteNamespacedPodAsync(pod.Metadata.Name, pod.Metadata.NamespaceProperty,
                    body: new V1DeleteOptions { Preconditions = new V1Preconditions { Uid = pod.Metadata.Uid } }, cancellationToken: ct);
                context.Log.WriteLine($"daemonset: {key}: deleted pod {pod.Metadata.Name}");
            }
            catch (HttpOperationException e) when (e.Response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Conflict)
            {
                _expectations.DeletionObserved(key, Key(pod.Metadata));
            }
        }
    }

    async Task<bool> CreatePodAsync(ControllerContext context, V1DaemonSet ds, string nodeName, string hash, CancellationToken ct)
    {
        var template = Copies.Deep(ds.Spec.Template);
        var labels = template.Metadata?.Labels ?? new Dictionary<string, string>();
        labels[RevisionHashLabel] = hash;
        if (ds.Metadata.Generation is { } generation) labels[TemplateGenerationLabel] = generation.ToString(CultureInfo.InvariantCulture);
        var spec = template.Spec;
        spec.Tolerations = WithDaemonTolerations(spec);
        // ReplaceDaemonSetPodNodeNameNodeAffinity: the required terms become this one node.
        spec.Affinity ??= new V1Affinity();
        spec.Affinity.NodeAffinity ??= new V1NodeAffinity();
        spec.Affinity.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution = new V1NodeSelector
        {
            NodeSelectorTerms =
            [
                new V1NodeSelectorTerm
                {
                    MatchFields = [new V1NodeSelectorRequirement { Key = "metadata.name", OperatorProperty = "In", Values = [nodeName] }],
                },
            ],
        };
        var pod = new V1Pod
        {
            ApiVersion = "v1", Kind = "Pod",
            Metadata = new V1ObjectMeta
            {
                GenerateName = ds.Metadata.Name + "-",
                Labels = labels,
                Annotations = template.Metadata?.Annotations,
                Finalizers = template.Metadata?.Finalizers,
                OwnerReferences =
                [
                    new V1OwnerReference
                    {
                        ApiVersion = "apps/v1", Kind = "DaemonSet", Name = ds.Metadata.Name, Uid = ds.Metadata.Uid,
                        Controller = true, BlockOwnerDeletion = true,
                    },
                ],
            },
            Spec = spec,
        };
        try
        {
            var created = await context.Client.CoreV1.CreateNamespacedPodAsync(pod, ds.Metadata.NamespaceProperty, cancellationToken: ct);
            context.Log.WriteLine($"daemonset: {ds.Metadata.NamespaceProperty}/{ds.Metadata.Name}: created pod {created.Metadata.Name} for node {nodeName}");
            return true;
        }
        catch (HttpOperationException e)
        {
            context.Log.WriteLine($"daemonset: {ds.Metadata.NamespaceProperty}/{ds.Metadata.Name}: error creating pod for node {nodeName}: {(int)e.Response.StatusCode} {e.Response.Content}");
            return false;
        }
    }

    /// <summary>rollingUpdate without surge: old pods go while no more than maxUnavailable nodes are without an available pod.</summary>
    async Task RollingUpdateAsync(ControllerContext context, string key, V1DaemonSet ds, string hash, CancellationToken ct)
    {
        var nodes = context.Informers.Nodes.Items.ToList();
        var desired = nodes.Count(n => ShouldRun(ds, n).Run);
        var maxUnavailable = Scaled(ds.Spec.UpdateStrategy?.RollingUpdate?.MaxUnavailable, desired, defaultValue: 1);
        var minReady = context.Timing.Seconds(ds.Spec.MinReadySeconds ?? 0);
        var now = context.Clock.GetUtcNow().UtcDateTime;
        var unavailable = 0;
        List<V1Pod> replace = [], candidates = [];
        foreach (var (_, pods) in PodsByNode(context, ds, includeTerminating: false))
        {
            var updated = pods.Where(p => IsUpdated(p, hash, ds.Metadata.Generation)).ToList();
            var old = pods.Except(updated).ToList();
            if (updated.Count > 1 || old.Count > 1)
            {
                unavailable++;
                continue;
            }
            var (newPod, oldPod) = (updated.FirstOrDefault(), old.FirstOrDefault());
            if ((newPod is null) == (oldPod is null)) unavailable++;
            else if (newPod is not null) { if (!IsAvailable(newPod, minReady, now)) unavailable++; }
            else if (!IsAvailable(oldPod!, minReady, now)) replace.Add(oldPod!);
            else if (unavailable < maxUnavailable) candidates.Add(oldPod!);
        }
        var room = Math.Clamp(maxUnavailable - unavailable, 0, candidates.Count);
        await SyncNodesAsync(context, key, ds, [.. replace, .. candidates.Take(room)], [], hash, ct);
    }

    /// <summary>GetScaledValueFromIntOrPercent, rounding up.</summary>
    static int Scaled(IntOrString? value, int total, int defaultValue)
    {
        if (value?.Value is not { } raw) return defaultValue;
        if (raw.EndsWith('%') && int.TryParse(raw[..^1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var percent))
            return (int)Math.Ceiling(percent * total / 100.0);
        return int.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : defaultValue;
    }

    async Task UpdateStatusAsync(ControllerContext context, string key, V1DaemonSet ds, List<V1Node> nodes, string hash, CancellationToken ct)
    {
        var byNode = PodsByNode(context, ds, includeTerminating: true);
        var minReady = context.Timing.Seconds(ds.Spec.MinReadySeconds ?? 0);
        var now = context.Clock.GetUtcNow().UtcDateTime;
        int desired = 0, scheduled = 0, misscheduled = 0, ready = 0, available = 0, updated = 0;
        var waitForAvailability = false;
        foreach (var node in nodes)
        {
            var run = ShouldRun(ds, node).Run;
            var has = byNode.TryGetValue(node.Metadata.Name, out var pods) && pods.Count > 0;
            if (!run)
            {
                if (has) misscheduled++;
                continue;
            }
            desired++;
            if (!has) continue;
            scheduled++;
            var pod = Oldest(pods!).First();
            if (IsReady(pod))
            {
                ready++;
                if (IsAvailable(pod, minReady, now)) available++;
                else waitForAvailability = true;
            }
            if (IsUpdated(pod, hash, ds.Metadata.Generation)) updated++;
        }
        var status = ds.Status ?? new V1DaemonSetStatus();
        if (status.DesiredNumberScheduled != desired || status.CurrentNumberScheduled != scheduled || status.NumberMisscheduled != misscheduled
            || status.NumberReady != ready || (status.NumberAvailable ?? 0) != available || (status.UpdatedNumberScheduled ?? 0) != updated
            || (status.NumberUnavailable ?? 0) != desired - available || status.ObservedGeneration != ds.Metadata.Generation)
        {
            var copy = Copies.Deep(ds);
            copy.Status ??= new V1DaemonSetStatus();
            copy.Status.DesiredNumberScheduled = desired;
            copy.Status.CurrentNumberScheduled = scheduled;
            copy.Status.NumberMisscheduled = misscheduled;
            copy.Status.NumberReady = ready;
            copy.Status.NumberAvailable = available;
            copy.Status.UpdatedNumberScheduled = updated;
            copy.Status.NumberUnavailable = desired - available;
            copy.Status.ObservedGeneration = ds.Metadata.Generation;
            await context.Client.AppsV1.ReplaceNamespacedDaemonSetStatusAsync(copy, ds.Metadata.Name, ds.Metadata.NamespaceProperty, cancellationToken: ct);
        }
        if (waitForAvailability) _queue.AddAfter(key, minReady, ct);
    }
}
