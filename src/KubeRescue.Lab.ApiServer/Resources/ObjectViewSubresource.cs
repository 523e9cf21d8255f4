using System.Text.Json.Nodes;
using KubeRescue.Lab.ApiServer.Errors;
using KubeRescue.Lab.ApiServer.Http;
using KubeRescue.Lab.ApiServer.Objects;
using KubeRescue.Lab.ApiServer.Patching;
using KubeRescue.Lab.ApiServer.Registry;

namespace KubeRescue.Lab.ApiServer.Resources;

/// <summary>
/// A subresource that is a view of its object (status, scale): GET reads the view; PUT sends a whole view, PATCH
/// patches the current one; either is folded back into the object, which is written with optimistic concurrency
/// (a resourceVersion in the view pins it).
/// </summary>
public abstract class ObjectViewSubresource : Subresource
{
    public override IReadOnlyList<string> Verbs { get; } = ["get", "patch", "update"];

    /// <summary>The view's model, kind and apiVersion, for decoding and checking request bodies.</summary>
    protected abstract (Type Model, string Kind, string ApiVersion) ViewType(ResourceType rt);

    protected abstract JsonObject ToView(ResourceType rt, JsonObject obj);

    /// <summary>The object with <paramref name="view"/> folded into <paramref name="current"/> (a copy it may change).</summary>
    protected abstract JsonObject Apply(ResourceType rt, JsonObject current, JsonObject view);

    protected virtual Task WriteAsync(ApiRequest req, ResourceType rt, JsonObject obj) => req.WriteJsonAsync(200, ToView(rt, obj));

    public override async Task HandleAsync(ApiRequest req, ResourceStorage storage)
    {
        var rt = req.Resource;
        var name = req.Info.Name!;
        var ns = req.Info.Namespace;
        var (model, kind, apiVersion) = ViewType(rt);
        Func<JsonObject, string, JsonObject> update;
        switch (req.Http.Request.Method)
        {
            case "GET":
                await WriteAsync(req, rt, (await storage.GetAsync(rt, ns, name, req.Aborted)).Object);
                return;
            case "PUT":
            {
                var body = await req.ReadObjectAsync(kind, apiVersion, model);
                if ((string?)body["metadata"]!["name"] is { } bodyName && bodyName != name)
                    throw ApiException.BadRequest($"the name of the object ({bodyName}) does not match the name on the URL ({name})");
                update = (current, _) => Apply(rt, current, body.DeepClone().AsObject());
                break;
            }
            case "PATCH":
            {
                var patch = await req.ReadBodyAsync();
                var contentType = req.Http.Request.ContentType ?? "";
                update = (current, resourceVersion) =>
                {
                    var view = PatchApplier.ApplyAsServed(ToView(rt, current), resourceVersion, patch, contentType, model);
                    TypeCheck.Check(view, model, kind, apiVersion.Split('/')[^1]);
                    return Apply(rt, current, view);
                };
                break;
            }
            default:
                throw ApiException.MethodNotSupported(rt.GroupResource, req.Http.Request.Method.ToLowerInvariant());
        }
        var (result, _) = await storage.UpdateAsync(rt, ns, name, update, req.DryRun, req.Aborted);
        await WriteAsync(req, rt, result);
    }
}
