using static KubeRescue.Lab.ApiServer.Objects.Protobuf.Apimachinery;
using static KubeRescue.Lab.ApiServer.Objects.Protobuf.Field;

namespace KubeRescue.Lab.ApiServer.Objects.Protobuf;

/// <summary>k8s.io/api policy/v1 messages, numbered as in its generated.proto.</summary>
public static class PolicyV1
{
    const string Policy = "k8s.io.api.policy.v1.";

    public static readonly ProtoMessage Eviction = new(Policy + "Eviction",
        Msg(1, "metadata", ObjectMeta), Msg(2, "deleteOptions", DeleteOptions));

    public static readonly ProtoMessage PodDisruptionBudgetSpec = new(Policy + "PodDisruptionBudgetSpec",
        Msg(1, "minAvailable", IntOrString), Msg(2, "selector", LabelSelector), Msg(3, "maxUnavailable", IntOrString),
        Str(4, "unhealthyPodEvictionPolicy", Zero.Keep));

    public static readonly ProtoMessage PodDisruptionBudgetStatus = new(Policy + "PodDisruptionBudgetStatus",
        Int64(1, "observedGeneration"), MsgMap(2, "disruptedPods", Time), Int32(3, "disruptionsAllowed", Zero.Keep),
        Int32(4, "currentHealthy", Zero.Keep), Int32(5, "desiredHealthy", Zero.Keep), Int32(6, "expectedPods", Zero.Keep),
        Msgs(7, "conditions", Condition));

    public static readonly ProtoMessage PodDisruptionBudget = new(Policy + "PodDisruptionBudget",
        Msg(1, "metadata", ObjectMeta), Msg(2, "spec", PodDisruptionBudgetSpec), Msg(3, "status", PodDisruptionBudgetStatus));
}
