using System.Text.Json.Nodes;
using KubeRescue.Lab.ApiServer.Http;
using KubeRescue.Lab.ApiServer.Objects;
using KubeRescue.Lab.ApiServer.Patching;
using KubeRescue.Lab.ApiServer.Registry;
using KubeRescue.Lab.ApiServer.Selectors;

namespace KubeRescue.Lab.ApiServer.Resources;

/// <summary>
/// &lt;resource&gt;/scale for workloads with spec.replicas: an autoscaling/v1 Scale view whose writes change only
/// spec.replicas of the object (and so its generation), as kubectl scale and autoscalers expect.
/// </summary>
public sealed class ScaleSubresource : Subresource
{
    public override IReadOnlyList<string> Verbs { get; } = ["get", "patch", "update"];
    public override string Kind => "Scale";
    public override string Group => "autoscaling";
    public override string Version => "v1";

    public override async Task HandleAsync(ApiRequest req, ResourceStorage storage)
    {
        var rt = req.Resource;
        var name = req.Info.Name!;
        var ns = req.Info.Namespace;
        switch (req.Http.Request.Method)
        {
            case "GET":
                await req.WriteJsonAsync(200, ToScale((await storage.GetAsync(rt, ns, name, req.Aborted)).Object));
                return;
            case "PUT" or "PATCH":
            {
                var dryRun = req.DryRun;
                var isPut = req.Http.Request.Method == "PUT";
                var body = isPut ? null : await req.ReadBodyAsync();
                var scaleBody = isPut ? await req.ReadObjectAsync("Scale", "autoscaling/v1", typeof(k8s.Models.V1Scale)) : null;
                var contentType = req.Http.Request.ContentType ?? "";
                var (result, _) = await storage.UpdateAsync(rt, ns, name, current =>
                {
                    var scale = scaleBody ?? PatchApplier.Apply(ToScale(current), body!, contentType, typeof(k8s.Models.V1Scale));
                    TypeCheck.Check(scale, typeof(k8s.Models.V1Scale), "Scale", "v1");
                    var replicas = scale["spec"]?["replicas"];
                    if (replicas is null || (long)replicas < 0)
                        throw ApiException.Invalid("Scale", "autoscaling", name, [new("FieldValueInvalid", "spec.replicas", $"Invalid value: {replicas?.ToJsonString() ?? "null"}: must be greater than or equal to 0")]);
                    var meta = current["metadata"]!.AsObject();
                    if (rt.TracksGeneration && (long?)current["spec"]?["replicas"] != (long)replicas)
                        meta["generation"] = ((long?)meta["generation"] ?? 0) + 1;
                    current["spec"]!["replicas"] = (long)replicas;
                    var pinned = (string?)scale["metadata"]?["resourceVersion"];
                    if (!string.IsNullOrEmpty(pinned)) meta["resourceVersion"] = pinned;
                    return current;
                }, dryRun, req.Aborted);
                await req.WriteJsonAsync(200, ToScale(result));
                return;
            }
            default:
                throw ApiException.MethodNotSupported(rt.GroupResource, req.Http.Request.Method.ToLowerInvariant());
        }
    }

    static JsonObject ToScale(JsonObject obj)
    {
        var meta = obj["metadata"]!;
        var scaleMeta = new JsonObject();
        foreach (var f in (ReadOnlySpan<string>)["name", "namespace", "uid", "resourceVersion", "creationTimestamp"])
            if (meta[f] is { } v) scaleMeta[f] = v.DeepClone();
        var status = new JsonObject { ["replicas"] = (long?)obj["status"]?["replicas"] ?? 0 };
        if (obj["spec"]?["selector"] is JsonObject selector) status["selector"] = LabelSelector.FromLabelSelectorJson(selector).ToString();
        return new JsonObject
        {
            ["kind"] = "Scale",
            ["apiVersion"] = "autoscaling/v1",
            ["metadata"] = scaleMeta,
            ["spec"] = new JsonObject { ["replicas"] = (long?)obj["spec"]?["replicas"] ?? 0 },
            ["status"] = status,
        };
    }
}
