using System.Buffers;
using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.Json;
using System.Text;
using KubeRescue.Lab.ApiServer.Errors;
using KubeRescue.Lab.ApiServer.Objects;
using KubeRescue.Lab.ApiServer.OpenApi;
using KubeRescue.Lab.ApiServer.Patching;
using KubeRescue.Lab.ApiServer.Registry;
using KubeRescue.Lab.ApiServer.Selectors;
using KubeRescue.Lab.ApiServer.Storage;
using KubeRescue.Lab.ApiServer.Validation;

namespace KubeRescue.Lab.ApiServer.Http;

/// <summary>
/// The one generic REST handler: get, list, watch, create, update, patch, delete and deletecollection for every
/// registered resource, and the generic status subresource. Resource-specific behaviour comes from the
/// <see cref="ResourceType"/> (strategy hooks, subresources), never from branches here.
/// </summary>
public sealed class ResourceHandler(ResourceStorage storage, WatchServer watches)
{
    public async Task HandleAsync(ApiRequest req)
    {
        var info = req.Info;
        var rt = req.Resource;
        var method = req.Http.Request.Method;
        if (rt.Namespaced && info.Name is not null && info.Namespace is null) throw ApiException.NotFoundPath();

        if (info.Subresource is { } sub)
        {
            if (!rt.Subresources.TryGetValue(sub, out var handler)) throw ApiException.NotFoundPath();
            await handler.HandleAsync(req, storage);
            return;
        }

        var watch = info.LegacyWatch || Auth.RequestAttributes.WatchRequested(req.Http.Request.Query["watch"]);
        switch (method, info.Name)
        {
            case ("POST", null) when rt.Review is { } review: Require(rt, "create"); await ReviewAsync(req, review); break;
            case ("GET", null) when watch: Require(rt, "watch"); await watches.ServeAsync(req); break;
            case ("GET", { } name) when watch: Require(rt, "watch"); await watches.ServeAsync(req, name); break;
            case ("GET", null): Require(rt, "list"); await ListAsync(req); break;
            case ("GET", { } name): Require(rt, "get"); await GetAsync(req, name); break;
            case ("POST", null): Require(rt, "create"); await CreateAsync(req); break;
            case ("PUT", { } name): Require(rt, "update"); await UpdateAsync(req, name); break;
            case ("PATCH", { } name): Require(rt, "patch"); await PatchAsync(req, name); break;
            case ("DELETE", { } name): Require(rt, "delete"); await DeleteAsync(req, name); break;
            case ("DELETE", null): Require(rt, "deletecollection"); await DeleteCollectionAsync(req); break;
            default: throw ApiException.MethodNotSupported(rt.GroupResource, VerbName(method, info.Name is null));
        }
    }

    static void Require(ResourceType rt, string verb)
    {
        if (!rt.Verbs.Contains(verb)) throw ApiException.MethodNotSupported(rt.GroupResource, verb);
    }

    static string VerbName(string method, bool collection) => (method, collection) switch
    {
        ("POST", false) => "create",
        ("PUT", true) => "update",
        ("PATCH", true) => "patch",
        _ => method.ToLowerInvariant(),
    };

    async Task GetAsync(ApiRequest req, string name)
    {
        var kv = await storage.GetEntryAsync(req.Resource, req.Info.Namespace, name, req.Aborted)
            ?? throw ApiException.NotFound(req.Resource.GroupResource, name);
        if (req.WantsTable)
        {
            await req.WriteObjectAsync(200, ObjectCodec.Parse(kv.Value, kv.ModRevision));
            return;
        }
        req.Http.Response.StatusCode = 200;
        req.Http.Response.ContentType = "application/json";
        ObjectCodec.WriteStamped(req.Http.Response.BodyWriter, kv.Value, kv.ModRevision);
        await req.Http.Response.BodyWriter.FlushAsync(req.Aborted);
    }

    // ---- list -------------------------------------------------------------------------------------------

    async Task ListAsync(ApiRequest req)
    {
        var rt = req.Resource;
        var filter = ObjectFilter.From(req);
        var limit = ParseLimit(req.Query("limit"));
        var ns = req.Info.Namespace;
        var (startAfter, tokenRevision) = ContinueToken.Decode(req.Query("continue"));

        var items = new List<KeyValue>();
        long revision = 0;
        var cursor = startAfter;
        var more = false;
        while (true)
        {
            // Without a filter one read is the page; with one, read on until the page is full.
            var want = limit == 0 ? 0 : filter.IsEmpty ? limit : Math.Max(limit - items.Count, 256);
            var page = await storage.ListEntriesAsync(rt, ns, cursor, want, req.Aborted);
            if (revision == 0) revision = page.Revision;
            KeyValue? last = null;
            foreach (var kv in page.Items)
            {
                if (limit > 0 && items.Count == limit) { more = true; break; }
                last = kv;
                if (filter.Matches(kv)) items.Add(kv);
            }
            if (more || !page.More) break;
            // The next read starts after the last entry read, whether the filter kept it or not.
            cursor = ResourceStorage.PositionOf(rt, ns, last!);
            if (limit > 0 && items.Count == limit)
            {
                more = true;
                break;
            }
        }
        var listRevision = tokenRevision ?? revision;
        var next = more ? ContinueToken.Encode(ResourceStorage.PositionOf(rt, ns, items[^1]), listRevision) : null;

        var rv = listRevision.ToString(CultureInfo.InvariantCulture);
        req.Http.Response.StatusCode = 200;
        req.Http.Response.ContentType = "application/json";
        if (req.WantsTable)
        {
            await req.WriteTableAsync(items.Select(kv => ObjectCodec.Parse(kv.Value, kv.ModRevision)), rv, next, includeColumnDefinitions: true);
            return;
        }
        var output = req.Http.Response.BodyWriter;
        var head = new StringBuilder();
        head.Append($"{{\"kind\":\"{rt.ListKind}\",\"apiVersion\":\"{rt.ApiVersion}\",\"metadata\":{{\"resourceVersion\":\"{rv}\"");
        if (next is not null) head.Append($",\"continue\":\"{next}\"");
        head.Append("},\"items\":[");
        output.Write(Encoding.UTF8.GetBytes(head.ToString()));
        for (var i = 0; i < items.Count; i++)
        {
            if (i > 0) output.Write(","u8);
            ObjectCodec.WriteStamped(output, items[i].Value, items[i].ModRevision);
            if (i % 256 == 255) await output.FlushAsync(req.Aborted);
        }
        output.Write("]}"u8);
        await output.FlushAsync(req.Aborted);
    }

    static int ParseLimit(string? value)
    {
        if (string.IsNullOrEmpty(value)) return 0;
        if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var limit))
            throw ApiException.BadRequest($"invalid limit: {value}");
        return limit;
    }

    // ---- create -----------------------------------------------------------------------------------------

    async Task ReviewAsync(ApiRequest req, Review review)
    {
        var body = await req.ReadObjectAsync();
        req.CheckFields(body);
        await req.WriteObjectAsync(201, await review.AnswerAsync(req, body, storage));
    }

    async Task CreateAsync(ApiRequest req)
    {
        var rt = req.Resource;
        var dryRun = req.DryRun;
        var obj = await req.ReadObjectAsync();
        var meta = obj["metadata"]!.AsObject();
        SetNamespace(req, meta);
        if (!string.IsNullOrEmpty((string?)meta["resourceVersion"]))
            throw ApiException.BadRequest("resourceVersion should not be set on objects to be created");
        req.CheckFields(obj);
        if (rt.Namespaced) await RequireLiveNamespaceAsync((string)meta["namespace"]!, req);
        if (!rt.Strategy.KeepStatusOnCreate && rt.HasStatus) obj.Remove("status");
        rt.Strategy.PrepareForCreate(obj);
        // Go serialises a struct-valued status even when empty: a new Deployment reads back with status: {}.
        if (rt.HasStatus) obj["status"] ??= new JsonObject();
        var generated = ResourceStorage.GenerateName(obj);
        Validate(rt, obj, rt.Strategy.Validate(obj));
        var created = await storage.CreateAsync(rt, obj, dryRun, generated, req.Aborted);
        await req.WriteObjectAsync(201, created);
    }

    /// <summary>NamespaceLifecycle admission: no content in a namespace that does not exist or is going away.</summary>
    async Task RequireLiveNamespaceAsync(string ns, ApiRequest req)
    {
        var nsType = storage.Registry.Get("", "v1", "namespaces");
        var found = await storage.TryGetAsync(nsType, null, ns, req.Aborted) ?? throw ApiException.NotFound(nsType.GroupResource, ns);
        if (found.Object["metadata"]?["deletionTimestamp"] is not null)
            throw ApiException.Forbidden(req.Resource.GroupResource, (string?)found.Object["metadata"]?["name"] ?? "",
                $"unable to create new content in namespace {ns} because it is being terminated");
    }

    static void SetNamespace(ApiRequest req, JsonObject meta)
    {
        var bodyNs = (string?)meta["namespace"];
        if (!req.Resource.Namespaced)
        {
            meta.Remove("namespace");
            return;
        }
        if (string.IsNullOrEmpty(bodyNs)) meta["namespace"] = req.Info.Namespace;
        else if (bodyNs != req.Info.Namespace)
            throw ApiException.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
    }

    static void Validate(ResourceType rt, JsonObject obj, IReadOnlyList<FieldError> errors)
    {
        if (errors.Count == 0) return;
        var name = (string?)obj["metadata"]?["name"] ?? "";
        throw ApiException.Invalid(rt.Kind, rt.Group, name, errors);
    }

    // ---- update and patch -------------------------------------------------------------------------------

    async Task UpdateAsync(ApiRequest req, string name)
    {
        var rt = req.Resource;
        var dryRun = req.DryRun;
        var body = await req.ReadObjectAsync();
        var meta = body["metadata"]!.AsObject();
        SetNamespace(req, meta);
        var bodyName = (string?)meta["name"];
        if (bodyName != name)
            throw ApiException.BadRequest($"the name of the object ({bodyName}) does not match the name on the URL ({name})");
        req.CheckFields(body);
        var (result, _) = await storage.UpdateAsync(rt, req.Info.Namespace, name, current => MergeUpdate(rt, body.DeepClone().AsObject(), current), dryRun, req.Aborted);
        await req.WriteObjectAsync(200, result);
    }

    async Task PatchAsync(ApiRequest req, string name)
    {
        var rt = req.Resource;
        var dryRun = req.DryRun;
        var patch = await req.ReadBodyAsync();
        var contentType = req.Http.Request.ContentType ?? "";
        var (result, _) = await storage.UpdateAsync(rt, req.Info.Namespace, name, (current, resourceVersion) =>
        {
            var patched = PatchApplier.ApplyAsServed(current.DeepClone().AsObject(), resourceVersion, patch, contentType, rt.Model);
            TypeCheck.Check(patched, rt.Model, rt.Kind, rt.Version);
            CheckIdentity(rt, req, name, patched);
            req.CheckFields(patched, patched: true);
            return MergeUpdate(rt, patched, current);
        }, dryRun, req.Aborted);
        await req.WriteObjectAsync(200, result);
    }

    static void CheckIdentity(ResourceType rt, ApiRequest req, string name, JsonObject obj)
    {
        if ((string?)obj["kind"] != rt.Kind || (string?)obj["apiVersion"] != rt.ApiVersion)
            throw ApiException.BadRequest($"the kind or API version of the patched object does not match {rt.ApiVersion}, Kind={rt.Kind}");
        var meta = obj["metadata"] as JsonObject ?? throw ApiException.BadRequest("metadata must be an object");
        if ((string?)meta["name"] != name)
            throw ApiException.BadRequest($"the name of the object ({(string?)meta["name"]}) does not match the name on the URL ({name})");
        if (rt.Namespaced && (string?)meta["namespace"] != req.Info.Namespace)
            throw ApiException.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
    }

    /// <summary>
    /// The new object of a main-resource update: server-owned metadata and the status (when it has its own
    /// subresource) come from <paramref name="current"/>; generation moves on a spec change only.
    /// </summary>
    static JsonObject MergeUpdate(ResourceType rt, JsonObject updated, JsonObject current)
    {
        var meta = updated["metadata"]!.AsObject();
        var old = current["metadata"]!.AsObject();
        if ((string?)meta["uid"] is { Length: > 0 } uid && uid != (string?)old["uid"])
            throw ApiException.Conflict(rt.GroupResource, (string?)old["name"] ?? "",
                $"Precondition failed: UID in precondition: {uid}, UID in object meta: {(string?)old["uid"]}");
        foreach (var field in (ReadOnlySpan<string>)["uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation"])
        {
            if (old[field] is { } v) meta[field] = v.DeepClone();
            else meta.Remove(field);
        }
        meta.Remove("selfLink");
        if (rt.HasStatus)
        {
            if (current["status"] is { } s) updated["status"] = s.DeepClone();
            else updated.Remove("status");
        }
        rt.Strategy.PrepareForUpdate(updated, current);
        if (rt.TracksGeneration && !JsonNode.DeepEquals(Spec(updated), Spec(current)))
            meta["generation"] = ((long?)old["generation"] ?? 0) + 1;
        Validate(rt, updated, rt.Strategy.ValidateUpdate(updated, current));
        return updated;
    }

    /// <summary>Everything but metadata and status: what a generation counts.</summary>
    static JsonObject Spec(JsonObject obj)
    {
        var spec = new JsonObject();
        foreach (var (k, v) in obj)
            if (k is not ("metadata" or "status")) spec[k] = v?.DeepClone();
        return spec;
    }

    // ---- delete -----------------------------------------------------------------------------------------

    async Task DeleteAsync(ApiRequest req, string name)
    {
        var rt = req.Resource;
        var dryRun = req.DryRun;
        var options = await ReadDeleteOptionsAsync(req);
        var (obj, deleted) = await storage.DeleteAsync(rt, req.Info.Namespace, name, options, dryRun, req.Aborted);
        if (!deleted || rt.ReturnDeletedObject)
        {
            await req.WriteObjectAsync(200, obj);
            return;
        }
        await req.WriteJsonAsync(200, SuccessStatus(rt, obj));
    }

    static JsonObject SuccessStatus(ResourceType rt, JsonObject obj)
    {
        var details = new JsonObject { ["name"] = (string?)obj["metadata"]?["name"] };
        if (rt.Group.Length > 0) details["group"] = rt.Group;
        details["kind"] = rt.Plural;
        details["uid"] = (string?)obj["metadata"]?["uid"];
        return new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Success",
            ["details"] = details,
        };
    }

    static async Task<DeleteOptions> ReadDeleteOptionsAsync(ApiRequest req)
    {
        var body = await req.ReadBodyAsync();
        JsonObject? parsed = null;
        if (body.Length > 0)
        {
            parsed = ObjectCodec.Decode(body, req.Http.Request.ContentType, "DeleteOptions") as JsonObject
                ?? throw ApiException.BadRequest("the object provided is unrecognized (must be of type DeleteOptions)");
            TypeCheck.Check(parsed, typeof(k8s.Models.V1DeleteOptions), "DeleteOptions", "v1");
        }
        return DeleteOptions.From(parsed, req.Query);
    }

    async Task DeleteCollectionAsync(ApiRequest req)
    {
        var rt = req.Resource;
        var dryRun = req.DryRun;
        var options = await ReadDeleteOptionsAsync(req);
        var filter = ObjectFilter.From(req);
        var page = await storage.ListEntriesAsync(rt, req.Info.Namespace, null, 0, req.Aborted);
        var items = new JsonArray();
        foreach (var kv in page.Items.Where(filter.Matches))
        {
            var obj = ObjectCodec.Parse(kv.Value, kv.ModRevision);
            var meta = obj["metadata"]!;
            try
            {
                var (result, _) = await storage.DeleteAsync(rt, (string?)meta["namespace"], (string)meta["name"]!, options, dryRun, req.Aborted);
                items.Add(result);
            }
            catch (ApiException e) when (e.Code == 404)
            {
            }
        }
        await req.WriteJsonAsync(200, new JsonObject
        {
            ["kind"] = rt.ListKind,
            ["apiVersion"] = rt.ApiVersion,
            ["metadata"] = new JsonObject { ["resourceVersion"] = storage.Revision.ToString(CultureInfo.InvariantCulture) },
            ["items"] = items,
        });
    }
}
