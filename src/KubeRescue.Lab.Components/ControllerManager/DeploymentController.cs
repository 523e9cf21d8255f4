using KubeRescue.Kubernetes.Client;
using KubeRescue.Kubernetes.Selectors;
using KubeRescue.Lab.Components.ControllerManager.Support;
using KubeRescue.Lab.Components.ControllerManager.Workloads;
using KubeRescue.Lab.Components;
using k8s.Models;
using k8s;
using static KubeRescue.Lab.Components.ControllerManager.Workloads.DeploymentUtil;

namespace KubeRescue.Lab.Components.ControllerManager;

/// <summary>
/// kube-controller-manager's deployment controller (pkg/controller/deployment): one ReplicaSet per pod template,
/// named <c>&lt;deployment&gt;-&lt;pod-template-hash&gt;</c> and controlled by the Deployment; RollingUpdate within
/// maxSurge/maxUnavailable or Recreate; proportional scaling during a rollout; pause; rollback by template (the
/// ReplicaSet whose template matches becomes the new one again, its revision raised); revision-history cleanup;
/// status and the Available, Progressing and ReplicaFailure conditions, with progressDeadlineSeconds in lab time.
/// </summary>
public sealed class DeploymentController : IController
{
    /// <summary>--concurrent-deployment-syncs (default 5).</summary>
    public int Workers { get; init; } = 5;

    public string Name => "deployment";

    public Task RunAsync(ControllerContext context, CancellationToken stop) => new DeploymentSync(context, stop).RunAsync(Workers);
}

sealed class DeploymentSync
{
    const string ApiVersion = "apps/v1";
    const string Kind = "Deployment";
    const string Progressing = "Progressing";

    readonly ControllerContext _ctx;
    readonly CancellationToken _stop;
    readonly WorkQueue<string> _queue;
    readonly EventRecorder _events;
    readonly Informer<V1Deployment> _deployments;
    readonly Informer<V1ReplicaSet> _replicaSets;
    readonly Informer<V1Pod> _pods;

    public DeploymentSync(ControllerContext context, CancellationToken stop)
    {
        _ctx = context;
        _stop = stop;
        _queue = new WorkQueue<string>(context.Timing, context.Clock);
        _events = context.Events.NewRecorder("deployment-controller");
        _deployments = context.Informers.Deployments;
        _replicaSets = context.Informers.ReplicaSets;
        _pods = context.Informers.Pods;
    }

    LabTiming Timing => _ctx.Timing;

    /// <summary>Now on the controller-manager's clock, as conditions carry it.</summary>
    DateTime Now => Objects.Now(_ctx.Clock);

    public async Task RunAsync(int workers)
    {
        using var deployments = _deployments.Subscribe(Enqueue, (_, d) => Enqueue(d), Enqueue);
        using var replicaSets = _replicaSets.Subscribe(AddReplicaSet, UpdateReplicaSet, DeleteReplicaSet);
        using var pods = _pods.Subscribe(deleted: DeletePod);
        try
        {
            await Task.WhenAll(_deployments.Synced, _replicaSets.Synced, _pods.Synced).WaitAsync(_stop);
            foreach (var d in _deployments.Items) Enqueue(d);
            await _queue.RunAsync(SyncAsync, workers, _stop);
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
    }

    void Enqueue(V1Deployment d) => _queue.Add(Objects.Key(d.Metadata));

    V1Deployment? ResolveControllerRef(string ns, V1OwnerReference? controllerRef)
    {
        if (controllerRef is not { Kind: Kind }) return null;
        var d = _deployments.Get(ns, controllerRef.Name);
        return d?.Metadata.Uid == controllerRef.Uid ? d : null;
    }

    IEnumerable<V1Deployment> DeploymentsSelecting(V1ReplicaSet rs) => _deployments.Items.Where(d =>
        d.Metadata.NamespaceProperty == rs.Metadata.NamespaceProperty && !LabelSelector.IsUnrestricted(d.Spec.Selector) && LabelSelector.Matches(d.Spec.Selector, rs.Metadata.Labels));

    void AddReplicaSet(V1ReplicaSet rs)
    {
        if (rs.Metadata.DeletionTimestamp is not null)
        {
            DeleteReplicaSet(rs);
            return;
        }
        if (Objects.ControllerOf(rs.Metadata) is { } controllerRef)
        {
            if (ResolveControllerRef(rs.Metadata.NamespaceProperty, controllerRef) is { } d) Enqueue(d);
            return;
        }
        // An orphan: every Deployment that could adopt it looks.
        foreach (var d in DeploymentsSelecting(rs)) Enqueue(d);
    }

    void UpdateReplicaSet(V1ReplicaSet old, V1ReplicaSet cur)
    {
        if (old.Metadata.ResourceVersion == cur.Metadata.ResourceVersion) return;
        var ns = cur.Metadata.NamespaceProperty;
        var curRef = Objects.ControllerOf(cur.Metadata);
        var oldRef = Objects.ControllerOf(old.Metadata);
        var refChanged = curRef?.Uid != oldRef?.Uid;
        if (refChanged && ResolveControllerRef(ns, oldRef) is { } previous) Enqueue(previous);
        if (curRef is not null)
        {
            if (ResolveControllerRef(ns, curRef) is { } d) Enqueue(d);
            return;
        }
        if (refChanged || !Objects.SameLabels(old.Metadata.Labels, cur.Metadata.Labels))
            foreach (var d in DeploymentsSelecting(cur)) Enqueue(d);
    }

    void DeleteReplicaSet(V1ReplicaSet rs)
    {
        if (ResolveControllerRef(rs.Metadata.NamespaceProperty, Objects.ControllerOf(rs.Metadata)) is { } d) Enqueue(d);
    }

    /// <summary>A Recreate rollout waits for the old pods to be gone: each deletion is a reason to look again.</summary>
    void DeletePod(V1Pod pod)
    {
        var ns = pod.Metadata.NamespaceProperty;
        if (Objects.ControllerOf(pod.Metadata) is not { Kind: "ReplicaSet" } podRef) return;
        if (_replicaSets.Get(ns, podRef.Name) is not { } rs || rs.Metadata.Uid != podRef.Uid) return;
        if (ResolveControllerRef(ns, Objects.ControllerOf(rs.Metadata)) is { Spec.Strategy.Type: "Recreate" } d) Enqueue(d);
    }

    async Task<bool> SyncAsync(string key, CancellationToken ct)
    {
        try
        {
            await SyncDeploymentAsync(key, ct);
            return true;
        }
        catch (Exception e) when (ApiErrors.IsApiOrTransport(e) || e is InvalidOperationException)
        {
            // Conflicts are the normal price of a stale cache: retried quietly, as upstream does.
            if (!ApiErrors.IsConflict(e)) await _ctx.Log.WriteLineAsync($"deployment-controller: sync {key}: {ApiErrors.Message(e)}");
            return false;
        }
    }

    async Task SyncDeploymentAsync(string key, CancellationToken ct)
    {
        var (ns, name) = Objects.SplitKey(key);
        if (_deployments.Get(ns, name) is not { } cached) return;
        var d = Objects.Clone(cached);
        d.Status ??= new V1DeploymentStatus();

        if (LabelSelector.IsUnrestricted(d.Spec.Selector))
        {
            _events.Record(d, ApiVersion, Kind, "Warning", "SelectingAll", "This deployment is selecting all pods. A non-empty selector is required.");
            if ((d.Status.ObservedGeneration ?? 0) < d.Metadata.Generation)
            {
                d.Status.ObservedGeneration = d.Metadata.Generation;
                await WriteStatusAsync(d, ct);
            }
            return;
        }

        var rsList = await ClaimReplicaSetsAsync(d, ct);
        if (d.Metadata.DeletionTimestamp is not null)
        {
            var (newRS, oldRSs) = await GetAllReplicaSetsAndSyncRevisionAsync(d, rsList, create: false, ct);
            await SyncDeploymentStatusAsync([.. oldRSs, newRS], newRS, d, ct);
            return;
        }
        await CheckPausedConditionsAsync(d, ct);
        if (d.Spec.Paused == true || await IsScalingEventAsync(d, rsList, ct))
        {
            await SyncScaleAsync(d, rsList, ct);
            return;
        }
        if (d.Spec.Strategy?.Type == "Recreate") await RolloutRecreateAsync(d, rsList, ct);
        else await RolloutRollingAsync(d, rsList, ct);
    }

    /// <summary>getReplicaSetsForDeployment: the namespace's ReplicaSets, adopting and releasing by selector.</summary>
    async Task<List<V1ReplicaSet>> ClaimReplicaSetsAsync(V1Deployment d, CancellationToken ct)
    {
        var manager = new ControllerRefManager<V1ReplicaSet>(d.Metadata, ApiVersion, Kind, d.Spec.Selector,
            async c =>
            {
                V1Deployment? fresh = null;
                try { fresh = await _ctx.Client.AppsV1.ReadNamespacedDeploymentAsync(d.Metadata.Name, d.Metadata.NamespaceProperty, cancellationToken: c); }
                catch (Exception e) when (ApiErrors.IsNotFound(e)) { }
                return ControllerRefManager<V1ReplicaSet>.CheckFresh(d.Metadata, fresh?.Metadata, Kind);
            },
            (rs, patch, c) => _ctx.Client.AppsV1.PatchNamespacedReplicaSetAsync(new V1Patch(patch, V1Patch.PatchType.StrategicMergePatch),
                rs.Metadata.Name, rs.Metadata.NamespaceProperty, cancellationToken: c));
        var candidates = _replicaSets.Items.Where(rs => rs.Metadata.NamespaceProperty == d.Metadata.NamespaceProperty);
        return (await manager.ClaimAsync(candidates, ct)).Select(Objects.Clone).ToList();
    }

    async Task<(V1ReplicaSet? NewRS, List<V1ReplicaSet> OldRSs)> GetAllReplicaSetsAndSyncRevisionAsync(V1Deployment d, List<V1ReplicaSet> rsList, bool create, CancellationToken ct)
    {
        var existing = FindNew(d, rsList);
        var oldRSs = rsList.Where(rs => rs.Metadata.Uid != existing?.Metadata.Uid).ToList();
        return (await GetNewReplicaSetAsync(d, existing, oldRSs, create, ct), oldRSs);
    }

    /// <summary>getNewReplicaSet: sync the existing new ReplicaSet's revision and annotations, or create it.</summary>
    async Task<V1ReplicaSet?> GetNewReplicaSetAsync(V1Deployment d, V1ReplicaSet? existing, List<V1ReplicaSet> oldRSs, bool create, CancellationToken ct)
    {
        var newRevision = MaxRevision(oldRSs) + 1;
        if (existing is not null)
        {
            var copy = Objects.Clone(existing);
            var annotationsUpdated = SetNewReplicaSetAnnotations(d, copy, newRevision, exists: true);
            if (annotationsUpdated || (copy.Spec.MinReadySeconds ?? 0) != (d.Spec.MinReadySeconds ?? 0))
            {
                copy.Spec.MinReadySeconds = d.Spec.MinReadySeconds;
                return await _ctx.Client.AppsV1.ReplaceNamespacedReplicaSetAsync(copy, copy.Metadata.Name, copy.Metadata.NamespaceProperty, cancellationToken: ct);
            }
            var revisionChanged = SetDeploymentRevision(d, copy.Metadata.Annotations?.TryGetValue(RevisionAnnotation, out var r) == true ? r : "");
            var needsUpdate = revisionChanged;
            if (HasProgressDeadline(d) && GetCondition(d.Status, Progressing) is null)
            {
                SetCondition(d.Status, NewCondition(Progressing, "True", FoundNewRSReason, $"Found new replica set \"{copy.Metadata.Name}\"", Now));
                needsUpdate = true;
            }
            if (needsUpdate) await WriteStatusAsync(d, ct);
            return copy;
        }
        if (!create) return null;

        var hash = TemplateHash.Compute(d.Spec.Template, d.Status.CollisionCount);
        var template = Objects.Clone(d.Spec.Template);
        template.Metadata ??= new V1ObjectMeta();
        template.Metadata.Labels = new Dictionary<string, string>(template.Metadata.Labels ?? new Dictionary<string, string>()) { [TemplateHash.PodTemplateHashLabel] = hash };
        var selector = Objects.Clone(d.Spec.Selector);
        selector.MatchLabels = new Dictionary<string, string>(selector.MatchLabels ?? new Dictionary<string, string>()) { [TemplateHash.PodTemplateHashLabel] = hash };
        var newRS = new V1ReplicaSet
        {
            ApiVersion = ApiVersion,
            Kind = "ReplicaSet",
            Metadata = new V1ObjectMeta
            {
                Name = $"{d.Metadata.Name}-{hash}",
                NamespaceProperty = d.Metadata.NamespaceProperty,
                OwnerReferences = [Objects.NewControllerRef(d.Metadata, ApiVersion, Kind)],
                Labels = new Dictionary<string, string>(template.Metadata.Labels),
            },
            Spec = new V1ReplicaSetSpec { Replicas = 0, MinReadySeconds = d.Spec.MinReadySeconds, Selector = selector, Template = template },
        };
        var newReplicas = NewRSNewReplicas(d, [.. oldRSs, newRS], newRS);
        newRS.Spec.Replicas = newReplicas;
        SetNewReplicaSetAnnotations(d, newRS, newRevision, exists: false);

        V1ReplicaSet created;
        var alreadyExists = false;
        try
        {
            created = await _ctx.Client.AppsV1.CreateNamespacedReplicaSetAsync(newRS, d.Metadata.NamespaceProperty, cancellationToken: ct);
        }
        catch (Exception e) when (ApiErrors.IsAlreadyExists(e))
        {
            // A slow cache, or a hash collision with a ReplicaSet that is not ours or has another template.
            var found = _replicaSets.Get(d.Metadata.NamespaceProperty, newRS.Metadata.Name) ?? throw new InvalidOperationException($"replica set {newRS.Metadata.Name} exists but is not in the cache yet");
            if (Objects.ControllerOf(found.Metadata)?.Uid != d.Metadata.Uid || !TemplateHash.EqualIgnoreHash(d.Spec.Template, found.Spec.Template))
            {
                d.Status.CollisionCount = (d.Status.CollisionCount ?? 0) + 1;
                await WriteStatusAsync(d, ct);
                throw;
            }
            created = Objects.Clone(found);
            alreadyExists = true;
        }
        catch (Exception e) when (ApiErrors.IsApiOrTransport(e))
        {
            var msg = $"Failed to create new replica set \"{newRS.Metadata.Name}\": {ApiErrors.Message(e)}";
            if (HasProgressDeadline(d))
            {
                SetCondition(d.Status, NewCondition(Progressing, "False", FailedRSCreateReason, msg, Now));
                try { await WriteStatusAsync(d, ct); }
                catch (Exception) when (!ct.IsCancellationRequested) { }
            }
            _events.Record(d, ApiVersion, Kind, "Warning", FailedRSCreateReason, msg);
            throw;
        }
        if (!alreadyExists && newReplicas > 0)
            _events.Record(d, ApiVersion, Kind, "Normal", "ScalingReplicaSet", $"Scaled up replica set {created.Metadata.Name} from 0 to {newReplicas}");

        var changed = SetDeploymentRevision(d, newRevision.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var statusChanged = changed;
        if (!alreadyExists && HasProgressDeadline(d))
        {
            SetCondition(d.Status, NewCondition(Progressing, "True", NewReplicaSetReason, $"Created new replica set \"{created.Metadata.Name}\"", Now));
            statusChanged = true;
        }
        if (statusChanged) await WriteStatusAsync(d, ct);
        return created;
    }

    /// <summary>UpdateStatus: with the status it writes the revision annotations, which Deployments' status strategy keeps.</summary>
    async Task WriteStatusAsync(V1Deployment d, CancellationToken ct)
    {
        var updated = await _ctx.Client.AppsV1.ReplaceNamespacedDeploymentStatusAsync(d, d.Metadata.Name, d.Metadata.NamespaceProperty, cancellationToken: ct);
        d.Metadata.ResourceVersion = updated.Metadata.ResourceVersion;
    }

    async Task CheckPausedConditionsAsync(V1Deployment d, CancellationToken ct)
    {
        if (!HasProgressDeadline(d)) return;
        var cond = GetCondition(d.Status, Progressing);
        // A reported lack of progress is not overwritten by a pause.
        if (cond?.Reason == TimedOutReason) return;
        var pausedCondExists = cond?.Reason == PausedDeployReason;
        if (d.Spec.Paused == true && !pausedCondExists)
            SetCondition(d.Status, NewCondition(Progressing, "Unknown", PausedDeployReason, "Deployment is paused", Now));
        else if (d.Spec.Paused != true && pausedCondExists)
            SetCondition(d.Status, NewCondition(Progressing, "Unknown", ResumedDeployReason, "Deployment is resumed", Now));
        else
            return;
        await WriteStatusAsync(d, ct);
    }

    /// <summary>isScalingEvent: an active ReplicaSet was sized for another spec.replicas.</summary>
    async Task<bool> IsScalingEventAsync(V1Deployment d, List<V1ReplicaSet> rsList, CancellationToken ct)
    {
        var (newRS, oldRSs) = await GetAllReplicaSetsAndSyncRevisionAsync(d, rsList, create: false, ct);
        return Active([.. oldRSs, newRS]).Any(rs => DesiredAnnotation(rs) is { } desired && desired != Replicas(d));
    }

    /// <summary>sync: scaling events and paused Deployments, without rolling anything out.</summary>
    async Task SyncScaleAsync(V1Deployment d, List<V1ReplicaSet> rsList, CancellationToken ct)
    {
        var (newRS, oldRSs) = await GetAllReplicaSetsAndSyncRevisionAsync(d, rsList, create: false, ct);
        await ScaleAsync(d, newRS, oldRSs, ct);
        if (d.Spec.Paused == true) await CleanupAsync(oldRSs, d, ct);
        await SyncDeploymentStatusAsync([.. oldRSs, newRS], newRS, d, ct);
    }

    /// <summary>scale: all to the one active (or newest) ReplicaSet, or proportionally across the active ones.</summary>
    async Task ScaleAsync(V1Deployment d, V1ReplicaSet? newRS, List<V1ReplicaSet> oldRSs, CancellationToken ct)
    {
        if (FindActiveOrLatest(newRS, oldRSs) is { } only)
        {
            if (Replicas(only) != Replicas(d)) await ScaleAndRecordAsync(only, Replicas(d), d, ct);
            return;
        }
        if (IsSaturated(d, newRS))
        {
            foreach (var old in Active(oldRSs)) await ScaleAndRecordAsync(old, 0, d, ct);
            return;
        }
        if (!IsRollingUpdate(d)) return;
        var all = Active([.. oldRSs, newRS]);
        var allowed = Replicas(d) > 0 ? Replicas(d) + MaxSurge(d) : 0;
        var toAdd = allowed - SumReplicas(all);
        var operation = "";
        if (toAdd > 0)
        {
            // Larger first; on a tie, newer first when scaling up and older first when scaling down.
            all = all.OrderByDescending(Replicas).ThenByDescending(rs => rs.Metadata.CreationTimestamp).ThenBy(rs => rs.Metadata.Name, StringComparer.Ordinal).ToList();
            operation = "up";
        }
        else if (toAdd < 0)
        {
            all = all.OrderByDescending(Replicas).ThenBy(rs => rs.Metadata.CreationTimestamp).ThenBy(rs => rs.Metadata.Name, StringComparer.Ordinal).ToList();
            operation = "down";
        }
        var added = 0;
        var sizes = new Dictionary<string, int>();
        foreach (var rs in all)
        {
            var proportion = toAdd != 0 ? Proportion(rs, d, toAdd, added) : 0;
            sizes[rs.Metadata.Name] = Replicas(rs) + proportion;
            added += proportion;
        }
        for (var i = 0; i < all.Count; i++)
        {
            var rs = all[i];
            // Leftovers go to the largest.
            if (i == 0 && toAdd != 0) sizes[rs.Metadata.Name] = Math.Max(0, sizes[rs.Metadata.Name] + toAdd - added);
            await ScaleReplicaSetAsync(rs, sizes[rs.Metadata.Name], d, operation, ct);
        }
    }

    static V1ReplicaSet? FindActiveOrLatest(V1ReplicaSet? newRS, List<V1ReplicaSet> oldRSs)
    {
        if (newRS is null && oldRSs.Count == 0) return null;
        var newestFirst = ByCreation(oldRSs).AsEnumerable().Reverse().ToList();
        var active = Active([.. newestFirst, newRS]);
        return active.Count switch
        {
            0 => newRS ?? newestFirst[0],
            1 => active[0],
            _ => null,
        };
    }

    async Task<(bool Scaled, V1ReplicaSet RS)> ScaleAndRecordAsync(V1ReplicaSet rs, int newScale, V1Deployment d, CancellationToken ct)
    {
        if (Replicas(rs) == newScale) return (false, rs);
        return await ScaleReplicaSetAsync(rs, newScale, d, Replicas(rs) < newScale ? "up" : "down", ct);
    }

    async Task<(bool Scaled, V1ReplicaSet RS)> ScaleReplicaSetAsync(V1ReplicaSet rs, int newScale, V1Deployment d, string operation, CancellationToken ct)
    {
        var copy = Objects.Clone(rs);
        var oldScale = Replicas(copy);
        var sizeNeedsUpdate = oldScale != newScale;
        var annotationsNeedUpdate = SetReplicasAnnotations(copy, Replicas(d), Replicas(d) + MaxSurge(d));
        if (!sizeNeedsUpdate && !annotationsNeedUpdate) return (false, rs);
        copy.Spec.Replicas = newScale;
        var updated = await _ctx.Client.AppsV1.ReplaceNamespacedReplicaSetAsync(copy, copy.Metadata.Name, copy.Metadata.NamespaceProperty, cancellationToken: ct);
        if (sizeNeedsUpdate)
            _events.Record(d, ApiVersion, Kind, "Normal", "ScalingReplicaSet", $"Scaled {operation} replica set {updated.Metadata.Name} from {oldScale} to {newScale}");
        return (sizeNeedsUpdate, updated);
    }

    async Task RolloutRollingAsync(V1Deployment d, List<V1ReplicaSet> rsList, CancellationToken ct)
    {
        var (newRS, oldRSs) = await GetAllReplicaSetsAndSyncRevisionAsync(d, rsList, create: true, ct);
        List<V1ReplicaSet?> all = [.. oldRSs, newRS];
        if (await ReconcileNewReplicaSetAsync(all, newRS!, d, ct) || await ReconcileOldReplicaSetsAsync(all, Active(oldRSs), newRS!, d, ct))
        {
            await SyncRolloutStatusAsync(all, newRS, d, ct);
            return;
        }
        if (IsComplete(d, d.Status)) await CleanupAsync(oldRSs, d, ct);
        await SyncRolloutStatusAsync(all, newRS, d, ct);
    }

    async Task<bool> ReconcileNewReplicaSetAsync(List<V1ReplicaSet?> all, V1ReplicaSet newRS, V1Deployment d, CancellationToken ct)
    {
        if (Replicas(newRS) == Replicas(d)) return false;
        var target = Replicas(newRS) > Replicas(d) ? Replicas(d) : NewRSNewReplicas(d, all, newRS);
        return (await ScaleAndRecordAsync(newRS, target, d, ct)).Scaled;
    }

    async Task<bool> ReconcileOldReplicaSetsAsync(List<V1ReplicaSet?> all, List<V1ReplicaSet> oldRSs, V1ReplicaSet newRS, V1Deployment d, CancellationToken ct)
    {
        if (SumReplicas(oldRSs) == 0) return false;
        var minAvailable = Replicas(d) - MaxUnavailable(d);
        var newRSUnavailable = Replicas(newRS) - (newRS.Status?.AvailableReplicas ?? 0);
        var maxScaledDown = SumReplicas(all) - minAvailable - newRSUnavailable;
        if (maxScaledDown <= 0) return false;
        // Unhealthy old replicas go first: they count against availability for nothing.
        var (cleaned, cleanedCount) = await CleanupUnhealthyReplicasAsync(oldRSs, d, maxScaledDown, ct);
        var scaledDown = await ScaleDownOldReplicaSetsForRollingUpdateAsync([.. cleaned, newRS], cleaned, d, ct);
        return cleanedCount + scaledDown > 0;
    }

    async Task<(List<V1ReplicaSet>, int)> CleanupUnhealthyReplicasAsync(List<V1ReplicaSet> oldRSs, V1Deployment d, int maxCleanup, CancellationToken ct)
    {
        var sorted = ByCreation(oldRSs);
        var total = 0;
        for (var i = 0; i < sorted.Count && total < maxCleanup; i++)
        {
            var rs = sorted[i];
            var available = rs.Status?.AvailableReplicas ?? 0;
            if (Replicas(rs) == 0 || Replicas(rs) == available) continue;
            var scaledDown = Math.Min(maxCleanup - total, Replicas(rs) - available);
            sorted[i] = (await ScaleAndRecordAsync(rs, Replicas(rs) - scaledDown, d, ct)).RS;
            total += scaledDown;
        }
        return (sorted, total);
    }

    async Task<int> ScaleDownOldReplicaSetsForRollingUpdateAsync(List<V1ReplicaSet?> all, List<V1ReplicaSet> oldRSs, V1Deployment d, CancellationToken ct)
    {
        var minAvailable = Replicas(d) - MaxUnavailable(d);
        var available = SumAvailable(all);
        if (available <= minAvailable) return 0;
        var totalScaleDown = available - minAvailable;
        var total = 0;
        foreach (var rs in ByCreation(oldRSs))
        {
            if (total >= totalScaleDown) break;
            if (Replicas(rs) == 0) continue;
            var scaleDown = Math.Min(Replicas(rs), totalScaleDown - total);
            await ScaleAndRecordAsync(rs, Replicas(rs) - scaleDown, d, ct);
            total += scaleDown;
        }
        return total;
    }

    async Task RolloutRecreateAsync(V1Deployment d, List<V1ReplicaSet> rsList, CancellationToken ct)
    {
        var (newRS, oldRSs) = await GetAllReplicaSetsAndSyncRevisionAsync(d, rsList, create: false, ct);
        List<V1ReplicaSet?> all = [.. oldRSs, newRS];
        var scaledDown = false;
        foreach (var old in Active(oldRSs))
            if ((await ScaleAndRecordAsync(old, 0, d, ct)).Scaled) scaledDown = true;
        // The new pods start only once every old one is gone, terminating ones included.
        if (scaledDown || OldPodsRunning(d, newRS, oldRSs))
        {
            await SyncRolloutStatusAsync(all, newRS, d, ct);
            return;
        }
        if (newRS is null)
        {
            (newRS, oldRSs) = await GetAllReplicaSetsAndSyncRevisionAsync(d, rsList, create: true, ct);
            all = [.. oldRSs, newRS];
        }
        await ScaleAndRecordAsync(newRS!, Replicas(d), d, ct);
        if (IsComplete(d, d.Status)) await CleanupAsync(oldRSs, d, ct);
        await SyncRolloutStatusAsync(all, newRS, d, ct);
    }

    bool OldPodsRunning(V1Deployment d, V1ReplicaSet? newRS, List<V1ReplicaSet> oldRSs)
    {
        if (SumActual(oldRSs) > 0) return true;
        return oldRSs.Where(rs => rs.Metadata.Uid != newRS?.Metadata.Uid)
            .SelectMany(rs => _pods.ByIndex(PodIndexes.ByController, rs.Metadata.Uid))
            .Any(p => LabelSelector.Matches(d.Spec.Selector, p.Metadata.Labels) && p.Status?.Phase is not ("Succeeded" or "Failed"));
    }

    /// <summary>cleanupDeployment: delete the oldest scaled-down ReplicaSets beyond revisionHistoryLimit.</summary>
    async Task CleanupAsync(List<V1ReplicaSet> oldRSs, V1Deployment d, CancellationToken ct)
    {
        if (d.Spec.RevisionHistoryLimit is not { } limit) return;
        var cleanable = oldRSs.Where(rs => rs.Metadata.DeletionTimestamp is null)
            .OrderBy(rs => Revision(rs.Metadata)).ThenBy(rs => rs.Metadata.CreationTimestamp).ThenBy(rs => rs.Metadata.Name, StringComparer.Ordinal).ToList();
        var diff = cleanable.Count - limit;
        for (var i = 0; i < diff; i++)
        {
            var rs = cleanable[i];
            if ((rs.Status?.Replicas ?? 0) != 0 || Replicas(rs) != 0 || rs.Metadata.Generation > (rs.Status?.ObservedGeneration ?? 0)) continue;
            try { await _ctx.Client.AppsV1.DeleteNamespacedReplicaSetAsync(rs.Metadata.Name, rs.Metadata.NamespaceProperty, cancellationToken: ct); }
            catch (Exception e) when (ApiErrors.IsNotFound(e)) { }
        }
    }

    V1DeploymentStatus CalculateStatus(List<V1ReplicaSet?> all, V1ReplicaSet? newRS, V1Deployment d)
    {
        var available = SumAvailable(all);
        var status = new V1DeploymentStatus
        {
            ObservedGeneration = d.Metadata.Generation,
            Replicas = SumActual(all),
            UpdatedReplicas = SumActual([newRS]),
            ReadyReplicas = SumReady(all),
            AvailableReplicas = available,
            UnavailableReplicas = Math.Max(0, SumReplicas(all) - available),
            CollisionCount = d.Status.CollisionCount,
            Conditions = d.Status.Conditions?.Select(Objects.Clone).ToList(),
        };
        SetCondition(status, available >= Replicas(d) - MaxUnavailable(d)
            ? NewCondition("Available", "True", MinimumReplicasAvailable, "Deployment has minimum availability.", Now)
            : NewCondition("Available", "False", MinimumReplicasUnavailable, "Deployment does not have minimum availability.", Now));
        return status;
    }

    async Task SyncDeploymentStatusAsync(List<V1ReplicaSet?> all, V1ReplicaSet? newRS, V1Deployment d, CancellationToken ct)
    {
        var status = CalculateStatus(all, newRS, d);
        if (SameStatus(d.Status, status)) return;
        d.Status = status;
        await WriteStatusAsync(d, ct);
    }

    static bool SameStatus(V1DeploymentStatus a, V1DeploymentStatus b) => KubernetesJson.Serialize(a) == KubernetesJson.Serialize(b);

    /// <summary>syncRolloutStatus: status plus the Progressing condition (complete, progressing, or timed out).</summary>
    async Task SyncRolloutStatusAsync(List<V1ReplicaSet?> all, V1ReplicaSet? newRS, V1Deployment d, CancellationToken ct)
    {
        var status = CalculateStatus(all, newRS, d);
        if (!HasProgressDeadline(d)) RemoveCondition(status, Progressing);
        var current = GetCondition(d.Status, Progressing);
        var isCompleteDeployment = status.Replicas == status.UpdatedReplicas && current?.Reason == NewRSAvailableReason;
        if (HasProgressDeadline(d) && !isCompleteDeployment)
        {
            var subject = newRS is not null ? $"ReplicaSet \"{newRS.Metadata.Name}\"" : $"Deployment \"{d.Metadata.Name}\"";
            if (IsComplete(d, status))
            {
                SetCondition(status, NewCondition(Progressing, "True", NewRSAvailableReason, $"{subject} has successfully progressed.", Now));
            }
            else if (IsProgressing(d, status))
            {
                // Progress refreshes lastUpdateTime even with an unchanged reason: that is what the deadline measures.
                var condition = NewCondition(Progressing, "True", ReplicaSetUpdatedReason, $"{subject} is progressing.", Now);
                if (current is not null)
                {
                    if (current.Status == "True") condition.LastTransitionTime = current.LastTransitionTime;
                    RemoveCondition(status, Progressing);
                }
                SetCondition(status, condition);
            }
            else if (TimedOut(d, status))
            {
                SetCondition(status, NewCondition(Progressing, "False", TimedOutReason, $"{subject} has timed out progressing.", Now));
            }
        }
        if (ReplicaFailure(all, newRS) is { } failure) SetCondition(status, failure);
        else RemoveCondition(status, "ReplicaFailure");

        if (SameStatus(d.Status, status))
        {
            RequeueStuckDeployment(d, status);
            return;
        }
        d.Status = status;
        await WriteStatusAsync(d, ct);
    }

    bool TimedOut(V1Deployment d, V1DeploymentStatus status)
    {
        if (!HasProgressDeadline(d) || GetCondition(status, Progressing) is not { } cond) return false;
        if (cond.Reason == NewRSAvailableReason) return false;
        if (cond.Reason == TimedOutReason) return true;
        return cond.LastUpdateTime is { } from && from.ToUniversalTime() + Timing.Seconds(d.Spec.ProgressDeadlineSeconds!.Value) < _ctx.Clock.GetUtcNow().UtcDateTime;
    }

    /// <summary>requeueStuckDeployment: without progress, look again when the deadline passes.</summary>
    void RequeueStuckDeployment(V1Deployment d, V1DeploymentStatus status)
    {
        var current = GetCondition(d.Status, Progressing);
        if (!HasProgressDeadline(d) || current is null) return;
        if (IsComplete(d, status) || current.Reason == TimedOutReason) return;
        var key = Objects.Key(d.Metadata);
        var now = _ctx.Clock.GetUtcNow().UtcDateTime;
        var after = (current.LastUpdateTime ?? now).ToUniversalTime() + Timing.Seconds(d.Spec.ProgressDeadlineSeconds!.Value) - now;
        if (after < Timing.Seconds(1)) _queue.AddRateLimited(key, _stop);
        else _queue.AddAfter(key, after + Timing.Seconds(1), _stop);
    }

    static V1DeploymentCondition? ReplicaFailure(List<V1ReplicaSet?> all, V1ReplicaSet? newRS)
    {
        var source = newRS?.Status?.Conditions?.FirstOrDefault(c => c.Type == "ReplicaFailure")
            ?? all.SelectMany(rs => rs?.Status?.Conditions ?? []).FirstOrDefault(c => c.Type == "ReplicaFailure");
        return source is null ? null : new V1DeploymentCondition
        {
            Type = source.Type,
            Status = source.Status,
            Reason = source.Reason,
            Message = source.Message,
            LastTransitionTime = source.LastTransitionTime,
            LastUpdateTime = source.LastTransitionTime,
        };
    }
}
