using KubeRescue.Lab.ApiServer.Http;
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
public sealed class StatusSubresource(params string[] storedMetadata) : ObjectViewSubresource
{
    static readonly string[] SystemMetadata = ["name", "namespace", "uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation"];

    protected override (Type Model, string Kind, string ApiVersion) ViewType(ResourceType rt) => (rt.Model, rt.Kind, rt.ApiVersion);

    /// <summary>The status view is the whole object.</summary>
    protected override JsonObject ToView(ResourceType rt, JsonObject obj) => obj.DeepClone().AsObject();

    protected override Task WriteAsync(ApiRequest req, ResourceType rt, JsonObject obj) => req.WriteObjectAsync(200, obj);

    protected override JsonObject Apply(ResourceType rt, JsonObject current, JsonObject source) => TakeStatus(current, source);

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
