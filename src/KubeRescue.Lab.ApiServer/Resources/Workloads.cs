using System.Text.Json.Nodes;
using KubeRescue.Lab.ApiServer.Errors;
using KubeRescue.Lab.ApiServer.Registry;
using KubeRescue.Lab.ApiServer.Validation;

namespace KubeRescue.Lab.ApiServer.Resources;

/// <summary>apps/v1 defaults shared by Deployments, ReplicaSets and DaemonSets: their pod templates default as pods do.</summary>
public abstract class WorkloadStrategy : ResourceStrategy
{
    public override void PrepareForCreate(JsonObject obj)
    {
        obj.Remove("status");
        if (obj["spec"] is JsonObject spec) DefaultSpec(spec);
    }

    public override void PrepareForUpdate(JsonObject obj, JsonObject old)
    {
        if (obj["spec"] is JsonObject spec) DefaultSpec(spec);
    }

    protected virtual void DefaultSpec(JsonObject spec)
    {
        if (spec["template"]?["spec"] is JsonObject podSpec) PodStrategy.DefaultPodSpec(podSpec);
        // A template's ObjectMeta has a zero creationTimestamp, which the real server writes as null.
        if (spec["template"]?["metadata"] is JsonObject templateMeta && !templateMeta.ContainsKey("creationTimestamp"))
            templateMeta["creationTimestamp"] = null;
    }
}

public sealed class DeploymentStrategy : WorkloadStrategy
{
    protected override void DefaultSpec(JsonObject spec)
    {
        spec["replicas"] ??= 1;
        var strategy = spec["strategy"] as JsonObject ?? new JsonObject { ["type"] = "RollingUpdate" };
        if ((string?)strategy["type"] == "RollingUpdate")
        {
            var rolling = strategy["rollingUpdate"] as JsonObject ?? [];
            rolling["maxUnavailable"] ??= "25%";
            rolling["maxSurge"] ??= "25%";
            strategy["rollingUpdate"] = rolling;
        }
        spec["strategy"] = strategy;
        spec["revisionHistoryLimit"] ??= 10;
        spec["progressDeadlineSeconds"] ??= 600;
        base.DefaultSpec(spec);
    }

    public override IReadOnlyList<FieldError> Validate(JsonObject obj) => Validators.Deployment(obj);
    public override IReadOnlyList<FieldError> ValidateUpdate(JsonObject obj, JsonObject old) => [.. Validators.Deployment(obj), .. Validators.ImmutableFieldsOnUpdate("Deployment", old, obj)];
}

public sealed class ReplicaSetStrategy : WorkloadStrategy
{
    protected override void DefaultSpec(JsonObject spec)
    {
        spec["replicas"] ??= 1;
        base.DefaultSpec(spec);
    }

    public override IReadOnlyList<FieldError> Validate(JsonObject obj) => Validators.ReplicaSet(obj);
    public override IReadOnlyList<FieldError> ValidateUpdate(JsonObject obj, JsonObject old) => [.. Validators.ReplicaSet(obj), .. Validators.ImmutableFieldsOnUpdate("ReplicaSet", old, obj)];
}

public sealed class DaemonSetStrategy : WorkloadStrategy
{
    protected override void DefaultSpec(JsonObject spec)
    {
        var strategy = spec["updateStrategy"] as JsonObject ?? new JsonObject { ["type"] = "RollingUpdate" };
        if ((string?)strategy["type"] == "RollingUpdate")
        {
            var rolling = strategy["rollingUpdate"] as JsonObject ?? [];
            rolling["maxUnavailable"] ??= 1;
            rolling["maxSurge"] ??= 0;
            strategy["rollingUpdate"] = rolling;
        }
        spec["updateStrategy"] = strategy;
        spec["revisionHistoryLimit"] ??= 10;
        base.DefaultSpec(spec);
    }

    public override IReadOnlyList<FieldError> Validate(JsonObject obj) => Validators.DaemonSet(obj);
    public override IReadOnlyList<FieldError> ValidateUpdate(JsonObject obj, JsonObject old) => [.. Validators.DaemonSet(obj), .. Validators.ImmutableFieldsOnUpdate("DaemonSet", old, obj)];
}

/// <summary>A strategy that only validates, for resources with no defaulting of their own.</summary>
public sealed class ValidatingStrategy(Func<JsonObject, IReadOnlyList<FieldError>> validate, bool keepStatusOnCreate = false) : ResourceStrategy
{
    public override bool KeepStatusOnCreate => keepStatusOnCreate;
    public override IReadOnlyList<FieldError> Validate(JsonObject obj) => validate(obj);
}
