using KubeRescue.Lab.ApiServer.Http;
using KubeRescue.Lab.ApiServer.Objects;
using KubeRescue.Lab.ApiServer.Patching;
using KubeRescue.Lab.ApiServer.Registry;
using System.Text.Json.Nodes;

namespace KubeRescue.Lab.ApiServer.Resources;

/// <summary>
/// &lt;resource&gt;/status: reads the whole object; writes change only its status, keeping spec and metadata as
/// stored (upstream's ResetObjectMetaForStatus), so controllers and users cannot overwrite each other's halves.
/// </summary>
public sealed class StatusSubresource : Subresource
{
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
                var pinned = (string?)body["metadata"]!["resourceVersion"];
                var (result, _) = await storage.UpdateAsync(rt, ns, name, current => TakeStatus(current, body, pinned), dryRun, req.Aborted);
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
                    return TakeStatus(current, patched, (string?)patched["metadata"]?["resourceVersion"]);
                }, dryRun, req.Aborted);
                await req.WriteObjectAsync(200, result);
                return;
            }
            default:
                throw ApiException.MethodNotSupported(rt.GroupResource, req.Http.Request.Method.ToLowerInvariant());
        }
    }

    static JsonObject TakeStatus(JsonObject current, JsonObject source, string? pinnedResourceVersion)
    {
        if (source["status"] is { } status) current["status"] = status.DeepClone();
        else current.Remove("status");
        if (!string.IsNullOrEmpty(pinnedResourceVersion)) current["metadata"]!["resourceVersion"] = pinnedResourceVersion;
        return current;
    }
}
