using System.Text.Json.Nodes;
using KubeRescue.Kubernetes.Selectors;
using KubeRescue.Lab.ApiServer.Errors;
using KubeRescue.Lab.ApiServer.Http;
using KubeRescue.Lab.ApiServer.Registry;
using KubeRescue.Lab.ApiServer.Selectors;

namespace KubeRescue.Lab.ApiServer.Resources;

/// <summary>
/// &lt;resource&gt;/scale for workloads with spec.replicas: an autoscaling/v1 Scale view whose writes change only
/// spec.replicas of the object (and so its generation), as kubectl scale and autoscalers expect.
/// </summary>
public sealed class ScaleSubresource : ObjectViewSubresource
{
    public override string Kind => "Scale";
    public override string Group => "autoscaling";
    public override string Version => "v1";

    protected override (Type Model, string Kind, string ApiVersion) ViewType(ResourceType rt) => (typeof(k8s.Models.V1Scale), "Scale", "autoscaling/v1");

    protected override JsonObject Apply(ResourceType rt, JsonObject current, JsonObject scale)
    {
        var replicas = scale["spec"]?["replicas"];
        var meta = current["metadata"]!.AsObject();
        if (replicas is null || (long)replicas < 0)
            throw ApiException.Invalid("Scale", "autoscaling", (string?)meta["name"] ?? "",
                [new("FieldValueInvalid", "spec.replicas", $"Invalid value: {replicas?.ToJsonString() ?? "null"}: must be greater than or equal to 0")]);
        if (rt.TracksGeneration && (long?)current["spec"]?["replicas"] != (long)replicas)
            meta["generation"] = ((long?)meta["generation"] ?? 0) + 1;
        current["spec"]!["replicas"] = (long)replicas;
        if ((string?)scale["metadata"]?["resourceVersion"] is { Length: > 0 } pinned) meta["resourceVersion"] = pinned;
        return current;
    }

    protected override JsonObject ToView(ResourceType rt, JsonObject obj)
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
