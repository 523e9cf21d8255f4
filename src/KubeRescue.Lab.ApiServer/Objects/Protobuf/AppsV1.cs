using static KubeRescue.Lab.ApiServer.Objects.Protobuf.Apimachinery;
using static KubeRescue.Lab.ApiServer.Objects.Protobuf.Field;

namespace KubeRescue.Lab.ApiServer.Objects.Protobuf;

/// <summary>k8s.io/api apps/v1 messages, numbered as in its generated.proto.</summary>
public static class AppsV1
{
    const string Apps = "k8s.io.api.apps.v1.";

    public static readonly ProtoMessage RollingUpdateDeployment = new(Apps + "RollingUpdateDeployment",
        Msg(1, "maxUnavailable", IntOrString), Msg(2, "maxSurge", IntOrString));

    public static readonly ProtoMessage DeploymentStrategy = new(Apps + "DeploymentStrategy",
        Str(1, "type"), Msg(2, "rollingUpdate", RollingUpdateDeployment));

    public static readonly ProtoMessage DeploymentSpec = new(Apps + "DeploymentSpec",
        Int32(1, "replicas", Zero.Keep), Msg(2, "selector", LabelSelector), Msg(3, "template", CoreV1.PodTemplateSpec),
        Msg(4, "strategy", DeploymentStrategy), Int32(5, "minReadySeconds"), Int32(6, "revisionHistoryLimit", Zero.Keep),
        Bool(7, "paused"), Int32(9, "progressDeadlineSeconds", Zero.Keep));

    public static readonly ProtoMessage DeploymentCondition = new(Apps + "DeploymentCondition",
        Str(1, "type", Zero.Keep), Str(2, "status", Zero.Keep), Msg(6, "lastUpdateTime", Time), Msg(7, "lastTransitionTime", Time),
        Str(4, "reason"), Str(5, "message"));

    public static readonly ProtoMessage DeploymentStatus = new(Apps + "DeploymentStatus",
        Int64(1, "observedGeneration"), Int32(2, "replicas"), Int32(3, "updatedReplicas"), Int32(7, "readyReplicas"),
        Int32(4, "availableReplicas"), Int32(5, "unavailableReplicas"), Int32(9, "terminatingReplicas", Zero.Keep),
        Msgs(6, "conditions", DeploymentCondition), Int32(8, "collisionCount", Zero.Keep));

    public static readonly ProtoMessage Deployment = new(Apps + "Deployment",
        Msg(1, "metadata", ObjectMeta), Msg(2, "spec", DeploymentSpec), Msg(3, "status", DeploymentStatus));
}
