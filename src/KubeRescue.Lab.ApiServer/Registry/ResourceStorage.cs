using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using KubeRescue.Lab.ApiServer.Errors;
using KubeRescue.Lab.ApiServer.Http;
using KubeRescue.Lab.ApiServer.Objects;
using KubeRescue.Lab.ApiServer.Storage;

namespace KubeRescue.Lab.ApiServer.Registry;

/// <summary>A stored object, parsed, with its resourceVersion set.</summary>
public sealed record StoredObject(JsonObject Object, KeyValue Entry)
{
    public long ResourceVersion => Entry.ModRevision;
}

/// <summary>
/// Objects of registered resources over an <see cref="IStore"/>, as the real API server's generic registry
/// store does it: server-set metadata on create, guaranteed updates with optimistic concurrency, no-op
/// updates that write nothing, and deletion that waits for finalizers.
/// </summary>
/// <param name="ttls">
/// How long objects of a resource live after their last write, as the registry's TTLFunc (kube-apiserver gives
/// events one, <c>--event-ttl</c>); resources not named live until deleted.
/// </param>
public sealed class ResourceStorage(IStore store, ResourceRegistry registry, TimeProvider clock, IReadOnlyDictionary<GroupResource, TimeSpan>? ttls = null)
{
    const string GenerateNameAlphabet = "bcdfghjklmnpqrstvwxz2456789";

    public ResourceRegistry Registry { get; } = registry;
    public TimeProvider Clock { get; } = clock;

    TimeSpan? Ttl(ResourceType rt) => ttls is not null && ttls.TryGetValue(rt.GroupResource, out var ttl) ? ttl : null;

    public string Now() => Clock.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>The revision of the last write anywhere: the resourceVersion of a collection read now.</summary>
    public long Revision => store.Revision;

    /// <summary>One object as stored (its JSON bytes, unparsed), for a handler that serves it as it is.</summary>
    public ValueTask<KeyValue?> GetEntryAsync(ResourceType rt, string? ns, string name, CancellationToken ct = default) =>
        store.GetAsync(rt.Key(ns, name), ct);

    /// <summary>
    /// A page of a collection (a namespace's, or every namespace's) as stored, in key order, after
    /// <paramref name="continueAfter"/> (a <see cref="PositionOf"/>; null from the start), at most
    /// <paramref name="limit"/> entries (0: all).
    /// </summary>
    public ValueTask<ListPage> ListEntriesAsync(ResourceType rt, string? ns, string? continueAfter, int limit, CancellationToken ct = default)
    {
        var prefix = rt.CollectionKey(ns);
        return store.ListAsync(prefix, continueAfter is null ? null : prefix + continueAfter, limit, ct);
    }

    /// <summary>Where an entry of a collection stands in it, for a continue token: its key below the collection's.</summary>
    public static string PositionOf(ResourceType rt, string? ns, KeyValue entry) => entry.Key[rt.CollectionKey(ns).Length..];

    /// <summary>Every object of a collection, parsed.</summary>
    public async Task<IReadOnlyList<StoredObject>> ListAsync(ResourceType rt, string? ns, CancellationToken ct = default)
    {
        var page = await ListEntriesAsync(rt, ns, null, 0, ct);
        return [.. page.Items.Select(kv => new StoredObject(ObjectCodec.Parse(kv.Value, kv.ModRevision), kv))];
    }

    /// <summary>The changes to a collection after <paramref name="afterRevision"/>, then live ones, as stored.</summary>
    /// <exception cref="RevisionCompactedException">changes after that revision are no longer kept.</exception>
    public IStoreWatch Watch(ResourceType rt, string? ns, long afterRevision) => store.Watch(rt.CollectionKey(ns), afterRevision);

    public async Task<StoredObject?> TryGetAsync(ResourceType rt, string? ns, string name, CancellationToken ct = default)
    {
        var kv = await store.GetAsync(rt.Key(ns, name), ct);
        return kv is null ? null : new StoredObject(ObjectCodec.Parse(kv.Value, kv.ModRevision), kv);
    }

    public async Task<StoredObject> GetAsync(ResourceType rt, string? ns, string name, CancellationToken ct = default) =>
        await TryGetAsync(rt, ns, name, ct) ?? throw ApiException.NotFound(rt.GroupResource, name);

    /// <summary>Fills an empty metadata.name from generateName, as upstream does before validation; true when it did.</summary>
    public static bool GenerateName(JsonObject obj)
    {
        var meta = obj["metadata"]!.AsObject();
        if (!string.IsNullOrEmpty((string?)meta["name"]) || string.IsNullOrEmpty((string?)meta["generateName"])) return false;
        meta["name"] = (string?)meta["generateName"] + RandomSuffix();
        return true;
    }

    /// <summary>Creates <paramref name="obj"/> (already validated and defaulted); returns it as stored.</summary>
    /// <param name="nameGenerated">the name came from generateName: a collision draws a new one.</param>
    public async Task<JsonObject> CreateAsync(ResourceType rt, JsonObject obj, bool dryRun, bool nameGenerated = false, CancellationToken ct = default)
    {
        var meta = obj["metadata"]!.AsObject();
        meta["uid"] = Guid.NewGuid().ToString();
        meta["creationTimestamp"] = Now();
        meta.Remove("deletionTimestamp");
        meta.Remove("deletionGracePeriodSeconds");
        meta.Remove("selfLink");
        if (rt.TracksGeneration) meta["generation"] = 1; else meta.Remove("generation");
        for (var attempt = 0; ; attempt++)
        {
            if (nameGenerated && attempt > 0) meta["name"] = (string?)meta["generateName"] + RandomSuffix();
            var name = (string)meta["name"]!;
            var key = rt.Key((string?)meta["namespace"], name);
            if (dryRun)
            {
                if (await store.GetAsync(key, ct) is not null) throw ApiException.AlreadyExists(rt.GroupResource, name);
                return obj;
            }
            try
            {
                var kv = await store.CreateAsync(key, ObjectCodec.Encode(obj), Ttl(rt), ct);
                meta["resourceVersion"] = kv.ModRevision.ToString(CultureInfo.InvariantCulture);
                return obj;
            }
            catch (KeyExistsException)
            {
                // A generated name that collides is retried, as the real server does since 1.30.
                if (!nameGenerated || attempt >= 7) throw ApiException.AlreadyExists(rt.GroupResource, name);
            }
        }
    }

    static string RandomSuffix() => string.Create(5, 0, (span, _) =>
    {
        for (var i = 0; i < span.Length; i++) span[i] = GenerateNameAlphabet[RandomNumberGenerator.GetInt32(GenerateNameAlphabet.Length)];
    });

    /// <summary>
    /// Reads the current object, lets <paramref name="update"/> produce the new one, and writes it if the object did
    /// not change meanwhile. A caller that pinned a resourceVersion gets 409 when it is stale; otherwise a race
    /// is retried on the fresh object. An update that changes nothing writes nothing, as upstream's GuaranteedUpdate.
    /// An object being deleted whose last finalizer goes is deleted.
    /// </summary>
    public Task<(JsonObject Object, bool Deleted)> UpdateAsync(ResourceType rt, string? ns, string name,
        Func<JsonObject, JsonObject> update, bool dryRun, CancellationToken ct = default) =>
        UpdateAsync(rt, ns, name, (current, _) => update(current), dryRun, ct);

    /// <summary>As above; <paramref name="update"/> also gets the current resourceVersion (a patch is applied to the object as served).</summary>
    public async Task<(JsonObject Object, bool Deleted)> UpdateAsync(ResourceType rt, string? ns, string name,
        Func<JsonObject, string, JsonObject> update, bool dryRun, CancellationToken ct = default)
    {
        var key = rt.Key(ns, name);
        while (true)
        {
            var current = await GetAsync(rt, ns, name, ct);
            // The callback sees the object without its resourceVersion: it pins one only by setting it.
            var clone = current.Object.DeepClone().AsObject();
            clone["metadata"]!.AsObject().Remove("resourceVersion");
            var updated = update(clone, current.ResourceVersion.ToString(CultureInfo.InvariantCulture));
            var pinned = (string?)updated["metadata"]?["resourceVersion"];
            if (!string.IsNullOrEmpty(pinned) && pinned != current.ResourceVersion.ToString(CultureInfo.InvariantCulture))
                throw ApiException.Conflict(rt.GroupResource, name, ApiException.ModifiedMessage);
            // Stored bytes carry no resourceVersion: they are the object as it stands, for comparison.
            if (IsUnchanged(updated, JsonNode.Parse(current.Entry.Value)!.AsObject())) return (current.Object, false);
            var bytes = ObjectCodec.Encode(updated);
            if (dryRun) return (updated, false);
            try
            {
                if (IsDeletable(updated, rt))
                {
                    await store.DeleteAsync(key, current.ResourceVersion, ct);
                    return (updated, true);
                }
                var kv = await store.UpdateAsync(key, current.ResourceVersion, bytes, Ttl(rt), ct);
                updated["metadata"]!["resourceVersion"] = kv.ModRevision.ToString(CultureInfo.InvariantCulture);
                return (updated, false);
            }
            catch (RevisionMismatchException) when (string.IsNullOrEmpty(pinned))
            {
            }
            catch (RevisionMismatchException)
            {
                throw ApiException.Conflict(rt.GroupResource, name, ApiException.ModifiedMessage);
            }
            catch (KeyNotFoundException)
            {
                throw ApiException.NotFound(rt.GroupResource, name);
            }
        }
    }

    /// <summary>Equal as JSON (property order aside), ignoring the resourceVersion a caller pinned.</summary>
    static bool IsUnchanged(JsonObject updated, JsonObject current)
    {
        var pinned = updated["metadata"]?["resourceVersion"];
        if (pinned is null) return JsonNode.DeepEquals(updated, current);
        var meta = updated["metadata"]!.AsObject();
        meta.Remove("resourceVersion");
        var same = JsonNode.DeepEquals(updated, current);
        meta["resourceVersion"] = pinned;
        return same;
    }

    /// <summary>Marked for deletion, no finalizer left and no grace period still running.</summary>
    bool IsDeletable(JsonObject obj, ResourceType rt)
    {
        var meta = obj["metadata"]!;
        if (meta["deletionTimestamp"] is null) return false;
        if (meta["finalizers"] is JsonArray { Count: > 0 } || rt.Strategy.HoldsDeletion(obj)) return false;
        var grace = meta["deletionGracePeriodSeconds"];
        return grace is null || (long)grace == 0;
    }

    /// <summary>
    /// DELETE as the generic registry does it: preconditions; a graceful period for pods (the object stays,
    /// Terminating, until its kubelet deletes it with grace 0); finalizers and propagation policies that hold
    /// the object with a deletionTimestamp; otherwise gone at once. Returns the object and whether it is gone.
    /// </summary>
    public async Task<(JsonObject Object, bool Deleted)> DeleteAsync(ResourceType rt, string? ns, string name, DeleteOptions options,
        bool dryRun, CancellationToken ct = default)
    {
        while (true)
        {
            var current = await GetAsync(rt, ns, name, ct);
            var obj = current.Object;
            var meta = obj["metadata"]!.AsObject();
            options.CheckPreconditions(rt, name, meta);

            var grace = rt.Strategy.GracePeriod(obj, options.GracePeriodSeconds) ?? 0;
            var finalizers = meta["finalizers"] as JsonArray;
            var extra = options.PropagationPolicy switch
            {
                "Foreground" => "foregroundDeletion",
                "Orphan" => "orphan",
                _ => options.OrphanDependents == true ? "orphan" : null,
            };
            var held = (finalizers is { Count: > 0 }) || extra is not null || rt.Strategy.HoldsDeletion(obj);
            var terminating = meta["deletionTimestamp"] is not null;

            if (grace == 0 && !held)
            {
                if (dryRun) return (obj, true);
                try
                {
                    await store.DeleteAsync(rt.Key(ns, name), current.ResourceVersion, ct);
                    return (obj, true);
                }
                catch (RevisionMismatchException) { continue; }
                catch (KeyNotFoundException) { throw ApiException.NotFound(rt.GroupResource, name); }
            }

            // Already terminating: only a shorter grace period changes anything.
            var existingGrace = (long?)meta["deletionGracePeriodSeconds"];
            if (terminating && existingGrace is not null && grace >= existingGrace && extra is null) return (obj, false);

            return await UpdateAsync(rt, ns, name, o =>
            {
                if ((string?)o["metadata"]!["uid"] != (string?)meta["uid"]) throw ApiException.Conflict(rt.GroupResource, name, ApiException.ModifiedMessage);
                var m = o["metadata"]!.AsObject();
                var now = Clock.GetUtcNow().UtcDateTime;
                if (m["deletionTimestamp"] is null || grace < ((long?)m["deletionGracePeriodSeconds"] ?? long.MaxValue))
                    m["deletionTimestamp"] = now.AddSeconds(grace).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
                m["deletionGracePeriodSeconds"] = grace;
                if (extra is not null)
                {
                    var f = m["finalizers"] as JsonArray ?? [];
                    if (!f.Any(x => (string?)x == extra)) f.Add(extra);
                    m["finalizers"] = f;
                }
                rt.Strategy.OnDeletionRequested(o);
                return o;
            }, dryRun, ct);
        }
    }

    /// <summary>Removes the object from the store now, if it is still at <paramref name="expectedRevision"/> (0: any).</summary>
    public async Task DeleteNowAsync(ResourceType rt, string? ns, string name, long expectedRevision, CancellationToken ct = default)
    {
        try
        {
            await store.DeleteAsync(rt.Key(ns, name), expectedRevision, ct);
        }
        catch (KeyNotFoundException)
        {
            throw ApiException.NotFound(rt.GroupResource, name);
        }
        catch (RevisionMismatchException)
        {
            throw ApiException.Conflict(rt.GroupResource, name, ApiException.ModifiedMessage);
        }
    }
}
