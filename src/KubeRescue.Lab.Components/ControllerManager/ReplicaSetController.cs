using KubeRescue.Kubernetes.Client;
using KubeRescue.Kubernetes.Selectors;
using KubeRescue.Lab.Components.ControllerManager.Support;
using KubeRescue.Lab.Components.ControllerManager.Workloads;
using KubeRescue.Lab.Components;
using k8s.Models;
using k8s;

namespace KubeRescue.Lab.Components.ControllerManager;

/// <summary>
/// kube-controller-manager's replicaset controller (pkg/controller/replicaset): keeps spec.replicas active pods
/// that match the selector and are controlled by the ReplicaSet, adopting matching orphans and releasing pods that
/// no longer match; creates in slow-start batches with expectations so its own creates in flight are not repeated;
/// deletes the surplus pods that matter least first; and writes status (replicas, fullyLabeledReplicas,
/// readyReplicas, availableReplicas, observedGeneration, the ReplicaFailure condition).
/// </summary>
public sealed class ReplicaSetController : IController
{
    /// <summary>Upstream's burstReplicas: at most this many creates or deletes per sync.</summary>
    public const int BurstReplicas = 500;

    /// <summary>--concurrent-replicaset-syncs (default 5).</summary>
    public int Workers { get; init; } = 5;

    public string Name => "replicaset";

    public async Task RunAsync(ControllerContext context, CancellationToken stop)
    {
        var run = new ReplicaSetSync(context, stop);
        await run.RunAsync(Workers);
    }
}

sealed class ReplicaSetSync
{
    const string ApiVersion = "apps/v1";
    const string Kind = "ReplicaSet";

    readonly ControllerContext _ctx;
    readonly CancellationToken _stop;
    readonly WorkQueue<string> _queue;
    readonly Expectations _expectations;
    readonly EventRecorder _events;
    readonly Informer<V1ReplicaSet> _replicaSets;
    readonly Informer<V1Pod> _pods;

    public ReplicaSetSync(ControllerContext context, CancellationToken stop)
    {
        _ctx = context;
        _stop = stop;
        _queue = new WorkQueue<string>(context.Timing, context.Clock);
        _expectations = new Expectations(context.Timing, context.Clock);
        _events = context.Events.NewRecorder("replicaset-controller");
        _replicaSets = context.Informers.ReplicaSets;
        _pods = context.Informers.Pods;
    }

    public async Task RunAsync(int workers)
    {
        void Enqueue(V1ReplicaSet rs) => _queue.Add(Objects.Key(rs.Metadata));
        using var replicaSets = _replicaSets.Subscribe(Enqueue, (_, rs) => Enqueue(rs), rs =>
        {
            _expectations.Forget(Objects.Key(rs.Metadata));
            Enqueue(rs);
        });
        using var pods = _pods.Subscribe(AddPod, UpdatePod, DeletePod);
        try
        {
            await Task.WhenAll(_replicaSets.Synced, _pods.Synced).WaitAsync(_stop);
            foreach (var rs in _replicaSets.Items) Enqueue(rs);
            await _queue.RunAsync(SyncAsync, workers, _stop);
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
    }

    V1ReplicaSet? ResolveControllerRef(string ns, V1OwnerReference? controllerRef)
    {
        if (controllerRef is not { Kind: Kind }) return null;
        var rs = _replicaSets.Get(ns, controllerRef.Name);
        return rs?.Metadata.Uid == controllerRef.Uid ? rs : null;
    }

    IEnumerable<V1ReplicaSet> ReplicaSetsSelecting(V1Pod pod) =>
        _replicaSets.Items.Where(rs => rs.Metadata.NamespaceProperty == pod.Metadata.NamespaceProperty && LabelSelector.Matches(rs.Spec.Selector, pod.Metadata.Labels));

    void AddPod(V1Pod pod)
    {
        if (pod.Metadata.DeletionTimestamp is not null)
        {
            // A restarted controller may see a pod already being deleted: it counts as a deletion, not a create.
            DeletePod(pod);
            return;
        }
        if (Objects.ControllerOf(pod.Metadata) is { } controllerRef)
        {
            if (ResolveControllerRef(pod.Metadata.NamespaceProperty, controllerRef) is not { } rs) return;
            var key = Objects.Key(rs.Metadata);
            _expectations.CreationObserved(key);
            _queue.Add(key);
            return;
        }
        foreach (var rs in ReplicaSetsSelecting(pod)) _queue.Add(Objects.Key(rs.Metadata));
    }

    void UpdatePod(V1Pod old, V1Pod cur)
    {
        if (old.Metadata.ResourceVersion == cur.Metadata.ResourceVersion) return;
        var labelChanged = !Objects.SameLabels(old.Metadata.Labels, cur.Metadata.Labels);
        if (cur.Metadata.DeletionTimestamp is not null)
        {
            // A graceful delete: replace the pod now rather than when the kubelet finally removes it.
            DeletePod(cur);
            if (labelChanged) DeletePod(old);
            return;
        }
        var ns = cur.Metadata.NamespaceProperty;
        var curRef = Objects.ControllerOf(cur.Metadata);
        var oldRef = Objects.ControllerOf(old.Metadata);
        var refChanged = curRef?.Uid != oldRef?.Uid;
        if (refChanged && ResolveControllerRef(ns, oldRef) is { } previous) _queue.Add(Objects.Key(previous.Metadata));
        if (curRef is not null)
        {
            if (ResolveControllerRef(ns, curRef) is not { } rs) return;
            var key = Objects.Key(rs.Metadata);
            _queue.Add(key);
            // The pod becomes available minReadySeconds after it became ready: look again then.
            var minReady = rs.Spec.MinReadySeconds ?? 0;
            if (minReady > 0 && !PodStatus.IsReady(old) && PodStatus.IsReady(cur))
                _queue.AddAfter(key, _ctx.Timing.Seconds(minReady + 1), _stop);
            return;
        }
        if (labelChanged || refChanged)
            foreach (var rs in ReplicaSetsSelecting(cur)) _queue.Add(Objects.Key(rs.Metadata));
    }

    void DeletePod(V1Pod pod)
    {
        if (ResolveControllerRef(pod.Metadata.NamespaceProperty, Objects.ControllerOf(pod.Metadata)) is not { } rs) return;
        var key = Objects.Key(rs.Metadata);
        _expectations.DeletionObserved(key, Objects.Key(pod.Metadata));
        _queue.Add(key);
    }

    async Task<bool> SyncAsync(string key, CancellationToken ct)
    {
        var (ns, name) = Objects.SplitKey(key);
        if (_replicaSets.Get(ns, name) is not { } cached)
        {
            _expectations.Forget(key);
            return true;
        }
        var rs = Objects.Clone(cached);
        var needsSync = _expectations.Satisfied(key);
        // getRSPods: the pods it controls (those that no longer match must be seen to be released) and the
        // namespace's orphans it may adopt; a pod another controller owns is neither.
        var active = _pods.ByIndex(PodIndexes.ByController, rs.Metadata.Uid).Concat(_pods.ByIndex(PodIndexes.ByController, PodIndexes.Orphans(ns)))
            .Where(PodStatus.IsActive).ToList();
        List<V1Pod> pods;
        try
        {
            pods = await ClaimPodsAsync(rs, active, ct);
        }
        catch (Exception e) when (e is InvalidOperationException || ApiErrors.IsApiOrTransport(e))
        {
            await _ctx.Log.WriteLineAsync($"replicaset-controller: claiming pods for {key}: {ApiErrors.Message(e)}");
            return false;
        }

        Exception? manageError = null;
        if (needsSync && rs.Metadata.DeletionTimestamp is null)
        {
            try
            {
                await ManageReplicasAsync(pods, rs, key, ct);
            }
            catch (Exception e) when (ApiErrors.IsApiOrTransport(e) || e is InvalidOperationException)
            {
                manageError = e;
            }
        }

        V1ReplicaSet updated;
        try
        {
            updated = await UpdateStatusAsync(rs, CalculateStatus(rs, pods, manageError), ct);
        }
        catch (Exception e) when (ApiErrors.IsApiOrTransport(e))
        {
            if (!ApiErrors.IsConflict(e)) await _ctx.Log.WriteLineAsync($"replicaset-controller: status of {key}: {ApiErrors.Message(e)}");
            return false;
        }
        var replicas = updated.Spec.Replicas ?? 1;
        var minReady = updated.Spec.MinReadySeconds ?? 0;
        // Resync after minReadySeconds in case no pod event comes when the ready pods become available.
        if (manageError is null && minReady > 0 && updated.Status.ReadyReplicas == replicas && updated.Status.AvailableReplicas != replicas)
            _queue.AddAfter(key, _ctx.Timing.Seconds(minReady), ct);
        if (manageError is not null)
            await _ctx.Log.WriteLineAsync($"replicaset-controller: sync {key}: {ApiErrors.Message(manageError)}");
        return manageError is null;
    }

    Task<List<V1Pod>> ClaimPodsAsync(V1ReplicaSet rs, List<V1Pod> pods, CancellationToken ct)
    {
        var manager = new ControllerRefManager<V1Pod>(rs.Metadata, ApiVersion, Kind, rs.Spec.Selector,
            async c =>
            {
                V1ReplicaSet? fresh = null;
                try { fresh = await _ctx.Client.AppsV1.ReadNamespacedReplicaSetAsync(rs.Metadata.Name, rs.Metadata.NamespaceProperty, cancellationToken: c); }
                catch (Exception e) when (ApiErrors.IsNotFound(e)) { }
                return ControllerRefManager<V1Pod>.CheckFresh(rs.Metadata, fresh?.Metadata, Kind);
            },
            (pod, patch, c) => _ctx.Client.CoreV1.PatchNamespacedPodAsync(new V1Patch(patch, V1Patch.PatchType.StrategicMergePatch),
                pod.Metadata.Name, pod.Metadata.NamespaceProperty, cancellationToken: c));
        return manager.ClaimAsync(pods, ct);
    }

    async Task ManageReplicasAsync(List<V1Pod> pods, V1ReplicaSet rs, string key, CancellationToken ct)
    {
        var diff = pods.Count - (rs.Spec.Replicas ?? 1);
        if (diff < 0)
        {
            var toCreate = Math.Min(-diff, ReplicaSetController.BurstReplicas);
            _expectations.ExpectCreations(key, toCreate);
            var (created, error) = await SlowStartBatchAsync(toCreate, () => CreatePodAsync(rs, ct));
            // Pods never attempted will never be observed.
            for (var i = created; i < toCreate; i++) _expectations.CreationObserved(key);
            if (error is not null) throw error;
        }
        else if (diff > 0)
        {
            var toDelete = PodsToDelete(pods, RelatedPods(rs), Math.Min(diff, ReplicaSetController.BurstReplicas));
            _expectations.ExpectDeletions(key, toDelete.Select(p => Objects.Key(p.Metadata)));
            var errors = await Task.WhenAll(toDelete.Select(async pod =>
            {
                try
                {
                    await DeletePodAsync(rs, pod, ct);
                    return null;
                }
                catch (Exception e) when (ApiErrors.IsApiOrTransport(e))
                {
                    // The informer will not observe a deletion that did not happen.
                    _expectations.DeletionObserved(key, Objects.Key(pod.Metadata));
                    return ApiErrors.IsNotFound(e) ? null : e;
                }
            }));
            if (errors.FirstOrDefault(e => e is not null) is { } first) throw first;
        }
    }

    /// <summary>controller.slowStartBatch: 1, 2, 4, ... calls at a time; stops after the first batch with a failure.</summary>
    static async Task<(int Succeeded, Exception? Error)> SlowStartBatchAsync(int count, Func<Task> call)
    {
        var remaining = count;
        var succeeded = 0;
        for (var batch = Math.Min(remaining, 1); batch > 0; batch = Math.Min(2 * batch, remaining))
        {
            var results = await Task.WhenAll(Enumerable.Range(0, batch).Select(async _ =>
            {
                try
                {
                    await call();
                    return null;
                }
                catch (Exception e) when (ApiErrors.IsApiOrTransport(e) || e is InvalidOperationException)
                {
                    return e;
                }
            }));
            succeeded += results.Count(e => e is null);
            if (results.FirstOrDefault(e => e is not null) is { } error) return (succeeded, error);
            remaining -= batch;
        }
        return (succeeded, null);
    }

    async Task CreatePodAsync(V1ReplicaSet rs, CancellationToken ct)
    {
        var template = rs.Spec.Template;
        var labels = template.Metadata?.Labels is { } l ? new Dictionary<string, string>(l) : null;
        if (labels is null || labels.Count == 0) throw new InvalidOperationException("unable to create pods, no labels");
        var pod = new V1Pod
        {
            ApiVersion = "v1",
            Kind = "Pod",
            Metadata = new V1ObjectMeta
            {
                GenerateName = $"{rs.Metadata.Name}-",
                NamespaceProperty = rs.Metadata.NamespaceProperty,
                Labels = labels,
                Annotations = template.Metadata?.Annotations is { } a ? new Dictionary<string, string>(a) : null,
                Finalizers = template.Metadata?.Finalizers?.ToList(),
                OwnerReferences = [Objects.NewControllerRef(rs.Metadata, ApiVersion, Kind)],
            },
            Spec = Objects.Clone(template.Spec),
        };
        V1Pod created;
        try
        {
            created = await _ctx.Client.CoreV1.CreateNamespacedPodAsync(pod, rs.Metadata.NamespaceProperty, cancellationToken: ct);
        }
        catch (Exception e) when (ApiErrors.IsApiOrTransport(e))
        {
            _events.Record(rs, ApiVersion, Kind, "Warning", "FailedCreate", $"Error creating: {ApiErrors.Message(e)}");
            throw;
        }
        _events.Record(rs, ApiVersion, Kind, "Normal", "SuccessfulCreate", $"Created pod: {created.Metadata.Name}");
    }

    async Task DeletePodAsync(V1ReplicaSet rs, V1Pod pod, CancellationToken ct)
    {
        try
        {
            await _ctx.Client.CoreV1.DeleteNamespacedPodAsync(pod.Metadata.Name, pod.Metadata.NamespaceProperty, cancellationToken: ct);
        }
        catch (Exception e) when (ApiErrors.IsApiOrTransport(e) && !ApiErrors.IsNotFound(e))
        {
            _events.Record(rs, ApiVersion, Kind, "Warning", "FailedDelete", $"Error deleting: {ApiErrors.Message(e)}");
            throw;
        }
        _events.Record(rs, ApiVersion, Kind, "Normal", "SuccessfulDelete", $"Deleted pod: {pod.Metadata.Name}");
    }

    /// <summary>
    /// getIndirectlyRelatedPods: the active pods of every ReplicaSet sharing this one's controller (the Deployment's
    /// other revisions), used to prefer deleting pods doubled up on a node.
    /// </summary>
    List<V1Pod> RelatedPods(V1ReplicaSet rs)
    {
        var ns = rs.Metadata.NamespaceProperty;
        var owner = Objects.ControllerOf(rs.Metadata);
        var related = new HashSet<string>(StringComparer.Ordinal) { rs.Metadata.Uid };
        if (owner is not null)
            foreach (var other in _replicaSets.Items)
                if (other.Metadata.NamespaceProperty == ns && Objects.ControllerOf(other.Metadata)?.Uid == owner.Uid)
                    related.Add(other.Metadata.Uid);
        return related.SelectMany(uid => _pods.ByIndex(PodIndexes.ByController, uid)).Where(PodStatus.IsActive).ToList();
    }

    /// <summary>
    /// getPodsToDelete with controller.ActivePodsWithRanks: unscheduled before scheduled; Pending before Unknown
    /// before Running; not ready before ready; lower pod-deletion-cost first; more pods of the same owner on the node
    /// first; ready for less time first; more restarts first; newer first. Upstream compares ready and creation
    /// times in logarithmic buckets (LogarithmicScaleDown) with a random tie-break; the lab compares them exactly.
    /// </summary>
    static List<V1Pod> PodsToDelete(List<V1Pod> pods, List<V1Pod> related, int count)
    {
        if (count >= pods.Count) return pods.Take(count).ToList();
        var onNode = related.Where(p => !string.IsNullOrEmpty(p.Spec?.NodeName)).GroupBy(p => p.Spec.NodeName).ToDictionary(g => g.Key, g => g.Count());
        int Rank(V1Pod p) => string.IsNullOrEmpty(p.Spec?.NodeName) ? 0 : onNode.GetValueOrDefault(p.Spec.NodeName);
        var ranked = pods.ToList();
        ranked.Sort((a, b) => DeleteFirst(a, b, Rank(a), Rank(b)));
        return ranked.Take(count).ToList();
    }

    static int DeleteFirst(V1Pod a, V1Pod b, int rankA, int rankB)
    {
        var aNode = a.Spec?.NodeName ?? "";
        var bNode = b.Spec?.NodeName ?? "";
        if (aNode != bNode && (aNode.Length == 0 || bNode.Length == 0)) return aNode.Length == 0 ? -1 : 1;
        static int Phase(V1Pod p) => p.Status?.Phase switch { "Pending" => 0, "Unknown" => 1, "Running" => 2, _ => 0 };
        if (Phase(a) != Phase(b)) return Phase(a).CompareTo(Phase(b));
        var aReady = PodStatus.IsReady(a);
        var bReady = PodStatus.IsReady(b);
        if (aReady != bReady) return aReady ? 1 : -1;
        if (DeletionCost(a) != DeletionCost(b)) return DeletionCost(a).CompareTo(DeletionCost(b));
        if (rankA != rankB) return rankB.CompareTo(rankA);
        if (aReady && bReady)
        {
            var aSince = PodStatus.ReadyCondition(a)?.LastTransitionTime ?? DateTime.MinValue;
            var bSince = PodStatus.ReadyCondition(b)?.LastTransitionTime ?? DateTime.MinValue;
            if (aSince != bSince) return bSince.CompareTo(aSince);
        }
        if (Restarts(a) != Restarts(b)) return Restarts(b).CompareTo(Restarts(a));
        var aCreated = a.Metadata.CreationTimestamp ?? DateTime.MaxValue;
        var bCreated = b.Metadata.CreationTimestamp ?? DateTime.MaxValue;
        return bCreated.CompareTo(aCreated);
    }

    static int DeletionCost(V1Pod p) =>
        p.Metadata.Annotations?.TryGetValue("controller.kubernetes.io/pod-deletion-cost", out var v) == true && int.TryParse(v, out var cost) ? cost : 0;

    static int Restarts(V1Pod p) => p.Status?.ContainerStatuses?.Select(c => c.RestartCount).DefaultIfEmpty(0).Max() ?? 0;

    V1ReplicaSetStatus CalculateStatus(V1ReplicaSet rs, List<V1Pod> pods, Exception? manageError)
    {
        var now = _ctx.Clock.GetUtcNow().UtcDateTime;
        var templateLabels = rs.Spec.Template?.Metadata?.Labels ?? new Dictionary<string, string>();
        var minReady = rs.Spec.MinReadySeconds ?? 0;
        var status = Objects.Clone(rs.Status ?? new V1ReplicaSetStatus());
        status.Replicas = pods.Count;
        status.FullyLabeledReplicas = pods.Count(p => templateLabels.All(kv => p.Metadata.Labels?.TryGetValue(kv.Key, out var v) == true && v == kv.Value));
        status.ReadyReplicas = pods.Count(PodStatus.IsReady);
        status.AvailableReplicas = pods.Count(p => PodStatus.IsAvailable(p, minReady, now, _ctx.Timing));
        var failure = status.Conditions?.FirstOrDefault(c => c.Type == "ReplicaFailure");
        if (manageError is not null && failure is null)
        {
            var diff = pods.Count - (rs.Spec.Replicas ?? 1);
            var reason = diff < 0 ? "FailedCreate" : diff > 0 ? "FailedDelete" : "";
            status.Conditions = [.. status.Conditions ?? [], new V1ReplicaSetCondition
            {
                Type = "ReplicaFailure",
                Status = "True",
                Reason = reason,
                Message = ApiErrors.Message(manageError),
                LastTransitionTime = Objects.Now(_ctx.Clock),
            }];
        }
        else if (manageError is null && failure is not null)
        {
            status.Conditions = status.Conditions!.Where(c => c.Type != "ReplicaFailure").ToList();
        }
        return status;
    }

    /// <summary>updateReplicaSetStatus: skip when nothing changed, else PUT status, re-reading once on failure.</summary>
    async Task<V1ReplicaSet> UpdateStatusAsync(V1ReplicaSet rs, V1ReplicaSetStatus status, CancellationToken ct)
    {
        var old = rs.Status ?? new V1ReplicaSetStatus();
        if (old.Replicas == status.Replicas && old.FullyLabeledReplicas == status.FullyLabeledReplicas
            && old.ReadyReplicas == status.ReadyReplicas && old.AvailableReplicas == status.AvailableReplicas
            && rs.Metadata.Generation == old.ObservedGeneration
            && (old.Conditions?.Count ?? 0) == (status.Conditions?.Count ?? 0))
            return rs;
        status.ObservedGeneration = rs.Metadata.Generation;
        for (var attempt = 0; ; attempt++)
        {
            rs.Status = status;
            try
            {
                return await _ctx.Client.AppsV1.ReplaceNamespacedReplicaSetStatusAsync(rs, rs.Metadata.Name, rs.Metadata.NamespaceProperty, cancellationToken: ct);
            }
            catch (Exception e) when (ApiErrors.IsApiOrTransport(e) && attempt == 0)
            {
                rs = await _ctx.Client.AppsV1.ReadNamespacedReplicaSetAsync(rs.Metadata.Name, rs.Metadata.NamespaceProperty, cancellationToken: ct);
            }
        }
    }
}
