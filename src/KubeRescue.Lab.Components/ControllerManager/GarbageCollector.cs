using System.Net;
using System.Text.Json.Nodes;
using KubeRescue.Kubernetes.Client;
using KubeRescue.Lab.Components.ControllerManager.Support;
using KubeRescue.Lab.Components;
using k8s.Autorest;
using k8s.Models;
using k8s;

namespace KubeRescue.Lab.Components.ControllerManager;

/// <summary>
/// The garbage collector (pkg/controller/garbagecollector): watches every built-in kind a shared informer follows but
/// the ones it ignores (events, as upstream's --gc-ignored-resources), keeps an owner → dependents index by uid, and
/// - deletes a dependent once every owner is gone (verified with a live read, not just the cache) or is itself
///   deleting in the foreground; an owner that still stands only loses the references to the others;
/// - for an owner held by <c>foregroundDeletion</c>: has its dependents deleted, and removes the finalizer once no
///   dependent with blockOwnerDeletion is left;
/// - for an owner held by <c>orphan</c>: removes the owner's reference from each dependent, then the finalizer.
/// Kinds outside <see cref="ApiResources"/> (custom resources) are not collected: their owners count as present.
/// </summary>
public sealed class GarbageCollector : IController
{
    const string Foreground = "foregroundDeletion";
    const string Orphan = "orphan";

    public string Name => "garbagecollector";

    /// <summary>An object by kind and name; the work queue's key.</summary>
    readonly record struct Item(ApiResource Kind, string? Namespace, string Name);

    /// <summary>Upstream's default --gc-ignored-resources: a cluster makes several events per pod, and none owns anything.</summary>
    static readonly HashSet<ApiResource> Ignored = [ApiResources.Events];

    readonly Lock _gate = new();
    readonly Dictionary<string, HashSet<Item>> _dependents = [];
    readonly Dictionary<Item, (string Uid, string[] Owners)> _objects = [];
    readonly Dictionary<string, Item> _byUid = [];
    Dictionary<ApiResource, IObjectCache> _caches = [];
    MetadataClient _metadata = null!;
    WorkQueue<Item> _queue = null!;

    public async Task RunAsync(ControllerContext context, CancellationToken stop)
    {
        var informers = context.Informers;
        _queue = new WorkQueue<Item>(context.Timing, context.Clock);
        _metadata = new MetadataClient(context.Client);
        _caches = ApiResources.All.Where(r => !Ignored.Contains(r))
            .Select(r => (Resource: r, Cache: informers.Metadata(r))).Where(c => c.Cache is not null).ToDictionary(c => c.Resource, c => c.Cache!);
        foreach (var (kind, cache) in _caches) cache.Changed += (old, now) => Observe(kind, old, now);
        await Task.WhenAll(_caches.Values.Select(c => c.Synced)).WaitAsync(stop);
        // Informers another controller started may have synced before we subscribed: observe what they hold.
        foreach (var (kind, cache) in _caches)
            foreach (var meta in cache.Items) Observe(kind, null, meta);
        context.Log.WriteLine($"garbagecollector: synced {_caches.Count} kinds");
        await _queue.RunAsync((item, ct) => ProcessAsync(context, item, ct), workers: 20, stop);
    }

    void Observe(ApiResource kind, V1ObjectMeta? old, V1ObjectMeta? now)
    {
        var meta = now ?? old!;
        var item = new Item(kind, kind.Namespaced ? meta.NamespaceProperty : null, meta.Name);
        List<Item> wake = [];
        lock (_gate)
        {
            if (_objects.Remove(item, out var previous))
            {
                foreach (var owner in previous.Owners)
                    if (_dependents.TryGetValue(owner, out var set) && set.Remove(item) && set.Count == 0) _dependents.Remove(owner);
                _byUid.Remove(previous.Uid);
            }
            if (now is not null)
            {
                var owners = now.OwnerReferences?.Select(r => r.Uid).ToArray() ?? [];
                _objects[item] = (now.Uid, owners);
                _byUid[now.Uid] = item;
                foreach (var owner in owners)
                {
                    if (!_dependents.TryGetValue(owner, out var set)) _dependents[owner] = set = [];
                    set.Add(item);
                }
                if (owners.Length > 0 || HasFinalizer(now, Foreground) || HasFinalizer(now, Orphan)) wake.Add(item);
                // An owner going away in the foreground: its dependents learn it is waiting for them.
                if (now.DeletionTimestamp is not null && HasFinalizer(now, Foreground) && _dependents.TryGetValue(now.Uid, out var deps)) wake.AddRange(deps);
                // A dependent being deleted may be what a foreground owner waits for.
                if (now.DeletionTimestamp is not null) wake.AddRange(owners.Where(_byUid.ContainsKey).Select(o => _byUid[o]));
            }
            else
            {
                // Gone: its dependents may now be orphans, and an owner waiting on it may finish.
                if (_dependents.TryGetValue(old!.Uid, out var deps)) wake.AddRange(deps);
                wake.AddRange((old.OwnerReferences ?? []).Where(r => _byUid.ContainsKey(r.Uid)).Select(r => _byUid[r.Uid]));
            }
        }
        foreach (var w in wake) _queue.Add(w);
    }

    static bool HasFinalizer(V1ObjectMeta meta, string finalizer) => meta.Finalizers?.Contains(finalizer) ?? false;

    List<(Item Item, V1ObjectMeta Meta)> DependentsOf(string uid)
    {
        List<Item> items;
        lock (_gate) items = _dependents.TryGetValue(uid, out var set) ? [.. set] : [];
        return items.Select(i => (i, _caches[i.Kind].Get(i.Namespace, i.Name)))
            .Where(d => d.Item2 is not null && d.Item2.OwnerReferences?.Any(r => r.Uid == uid) == true)
            .Select(d => (d.i, d.Item2!)).ToList();
    }

    async Task<bool> ProcessAsync(ControllerContext context, Item item, CancellationToken ct)
    {
        var meta = _caches[item.Kind].Get(item.Namespace, item.Name);
        if (meta is null) return true;
        try
        {
            if (meta.DeletionTimestamp is not null)
            {
                if (HasFinalizer(meta, Orphan)) return await OrphanDependentsAsync(context, item, meta, ct);
                if (HasFinalizer(meta, Foreground)) return await DeleteDependentsAsync(context, item, meta, ct);
                return true;
            }
            if (meta.OwnerReferences is not { Count: > 0 }) return true;
            return await AttemptToDeleteAsync(context, item, meta, ct);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return true;
        }
        catch (HttpOperationException e)
        {
            context.Log.WriteLine($"garbagecollector: {item.Kind.Kind} {item.Namespace}/{item.Name}: {(int)e.Response.StatusCode} {e.Response.Content}");
            return false;
        }
    }

    /// <summary>attemptToDeleteItem: classify the owners as solid, dangling or waiting for their dependents, and act.</summary>
    async Task<bool> AttemptToDeleteAsync(ControllerContext context, Item item, V1ObjectMeta meta, CancellationToken ct)
    {
        List<V1OwnerReference> solid = [], dangling = [], waiting = [];
        foreach (var owner in meta.OwnerReferences!)
        {
            var kind = ApiResources.Find(owner.ApiVersion, owner.Kind);
            if (kind is null)
            {
                solid.Add(owner);
                continue;
            }
            var ns = kind.Namespaced ? item.Namespace : null;
            var found = _caches.TryGetValue(kind, out var cache) ? cache.Get(ns, owner.Name) : null;
            // The cache can lag behind the dependent's informer (and an ignored kind has none): absence is confirmed
            // with a live read.
            if (found?.Uid != owner.Uid) found = await _metadata.GetAsync(kind, ns, owner.Name, ct);
            if (found is null || found.Uid != owner.Uid) dangling.Add(owner);
            else if (found.DeletionTimestamp is not null && HasFinalizer(found, Foreground)) waiting.Add(owner);
            else solid.Add(owner);
        }

        if (solid.Count > 0)
        {
            if (dangling.Count + waiting.Count == 0) return true;
            // Still owned by someone: only the references to owners that are gone or going are dropped.
            var refs = new JsonArray(dangling.Concat(waiting).Select(o => (JsonNode)new JsonObject { ["$patch"] = "delete", ["uid"] = o.Uid }).ToArray());
            var patch = new JsonObject { ["metadata"] = new JsonObject { ["ownerReferences"] = refs, ["uid"] = meta.Uid } };
            await _metadata.PatchAsync(item.Kind, item.Namespace, item.Name, new V1Patch(patch.ToJsonString(), V1Patch.PatchType.StrategicMergePatch), ct);
            context.Log.WriteLine($"garbagecollector: removed dangling owner references from {item.Kind.Kind} {item.Namespace}/{item.Name}");
            return true;
        }

        bool hasDependents;
        lock (_gate) hasDependents = _dependents.ContainsKey(meta.Uid);
        var policy = waiting.Count > 0 && hasDependents ? "Foreground"
            : HasFinalizer(meta, Orphan) ? "Orphan"
            : HasFinalizer(meta, Foreground) ? "Foreground"
            : "Background";
        context.Log.WriteLine($"garbagecollector: deleting {item.Kind.Kind} {item.Namespace}/{item.Name} (owners gone; propagation {policy})");
        await _metadata.DeleteAsync(item.Kind, item.Namespace, item.Name,
            new V1DeleteOptions { PropagationPolicy = policy, Preconditions = new V1Preconditions { Uid = meta.Uid } }, ct);
        return true;
    }

    /// <summary>processDeletingDependentsItem: dependents go first; the finalizer goes when none blocks the owner.</summary>
    async Task<bool> DeleteDependentsAsync(ControllerContext context, Item item, V1ObjectMeta meta, CancellationToken ct)
    {
        var dependents = DependentsOf(meta.Uid);
        foreach (var (dep, depMeta) in dependents)
            if (depMeta.DeletionTimestamp is null) _queue.Add(dep);
        var blocking = dependents.Count(d => d.Meta.OwnerReferences!.Any(r => r.Uid == meta.Uid && r.BlockOwnerDeletion == true));
        if (blocking > 0) return true;
        await RemoveFinalizerAsync(item, meta, Foreground, ct);
        return true;
    }

    /// <summary>orphanDependents: each dependent loses its reference to the owner, then the owner its finalizer.</summary>
    async Task<bool> OrphanDependentsAsync(ControllerContext context, Item item, V1ObjectMeta meta, CancellationToken ct)
    {
        foreach (var (dep, depMeta) in DependentsOf(meta.Uid))
        {
            var refs = new JsonArray(new JsonObject { ["$patch"] = "delete", ["uid"] = meta.Uid });
            var patch = new JsonObject { ["metadata"] = new JsonObject { ["ownerReferences"] = refs, ["uid"] = depMeta.Uid } };
            try
            {
                await _metadata.PatchAsync(dep.Kind, dep.Namespace, dep.Name, new V1Patch(patch.ToJsonString(), V1Patch.PatchType.StrategicMergePatch), ct);
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
            {
            }
        }
        await RemoveFinalizerAsync(item, meta, Orphan, ct);
        context.Log.WriteLine($"garbagecollector: orphaned the dependents of {item.Kind.Kind} {item.Namespace}/{item.Name}");
        return true;
    }

    /// <summary>A merge patch pinned to the resourceVersion the decision was made on: a 409 retries on fresh state.</summary>
    Task RemoveFinalizerAsync(Item item, V1ObjectMeta meta, string finalizer, CancellationToken ct)
    {
        var rest = new JsonArray(meta.Finalizers!.Where(f => f != finalizer).Select(f => (JsonNode)JsonValue.Create(f)).ToArray());
        var patch = new JsonObject { ["metadata"] = new JsonObject { ["finalizers"] = rest, ["resourceVersion"] = meta.ResourceVersion } };
        return _metadata.PatchAsync(item.Kind, item.Namespace, item.Name, new V1Patch(patch.ToJsonString(), V1Patch.PatchType.MergePatch), ct);
    }
}
