using KubeRescue.Lab.ApiServer.Http;
using KubeRescue.Lab.ApiServer.Objects;
using KubeRescue.Lab.ApiServer.Patching;
using KubeRescue.Lab.ApiServer.Registry;
using System.Text.Json.Nodes;

namespace KubeRescue.Lab.ApiServer.Resources;

/// <summary>
/// &lt;resource&gt;/status: reads the whole object; a write keeps the stored spec (everything outside metadata and
/// status) and the server-owned metadata, and takes the rest from the request, as upstream's status strategies do
/// (they reset spec, and each a few metadata fields of its own: <paramref name="storedMetadata"/>).
/// </summary>
/// <param name="storedMetadata">metadata fields a status write may not change for this resource
/// (pods: ownerReferences; deployments: labels)</param>
public sealed class StatusSubresource(params string[] storedMetadata) : Subresource
{
    static readonly string[] SystemMetadata = ["name", "namespace", "uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation"];

    public override IReadOnlyList<string> Verbs { get; } = ["get", "patch", "update"];

    public override async Task HandleAsync(ApiRequest req, ResourceStorage storage)
    {
        var rt = req.Resource;
        var name = req.Info.Name!;
        var ns = req.Info.Namespace;
        switch (req.Http.Request.Method)
        {
            case "GET":
                await req.WriteObjectAsync(200, (await storage.GetAsync(rt, ns, name, req.Aborted)).Object);
                return;
            case "PUT":
            {
                var dryRun = req.DryRun;
                var body = await req.ReadObjectAsync();
                if ((string?)body["metadata"]!["name"] != name)
                    throw ApiException.BadRequest($"the name of the object ({(string?)body["metadata"]!["name"]}) does not match the name on the URL ({name})");
                var (result, _) = await storage.UpdateAsync(rt, ns, name, current => TakeStatus(current, body.DeepClone().AsObject()), dryRun, req.Aborted);
                await req.WriteObjectAsync(200, result);
                return;
            }
            case "PATCH":
            {
                var dryRun = req.DryRun;
                var patch = await req.ReadBodyAsync();
                var contentType = req.Http.Request.ContentType ?? "";
                var (result, _) = await storage.UpdateAsync(rt, ns, name, current =>
                {
                    var patched = PatchApplier.Apply(current.DeepClone().AsObject(), patch, contentType, rt.Model);
                    TypeCheck.Check(patched, rt.Model, rt.Kind, rt.Version);
                    return TakeStatus(current, patched);
                }, dryRun, req.Aborted);
                await req.WriteObjectAsync(200, result);
                return;
            }
            default:
                throw ApiException.MethodNotSupported(rt.GroupResource, req.Http.Request.Method.ToLowerInvariant());
        }
    }

    /// <summary>The request's object with the stored spec and the metadata a status write may not change.</summary>
    JsonObject TakeStatus(JsonObject current, JsonObject source)
    {
        foreach (var key in source.Select(p => p.Key).Where(k => k is not ("metadata" or "status")).ToList()) source.Remove(key);
        foreach (var (key, value) in current)
            if (key is not ("metadata" or "status")) source[key] = value?.DeepClone();
        var stored = current["metadata"]!.AsObject();
        if (source["metadata"] is not JsonObject meta) source["metadata"] = meta = stored.DeepClone().AsObject();
        foreach (var field in SystemMetadata.Concat(storedMetadata))
        {
            if (stored[field] is { } v) meta[field] = v.DeepClone();
            else meta.Remove(field);
        }
        return source;
    }
}
