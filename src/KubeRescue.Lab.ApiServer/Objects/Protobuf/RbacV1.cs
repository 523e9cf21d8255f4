using static KubeRescue.Lab.ApiServer.Objects.Protobuf.Apimachinery;
using static KubeRescue.Lab.ApiServer.Objects.Protobuf.Field;

namespace KubeRescue.Lab.ApiServer.Objects.Protobuf;

/// <summary>k8s.io/api rbac/v1 messages, numbered as in its generated.proto: what <c>kubectl create role|rolebinding|...</c> sends.</summary>
public static class RbacV1
{
    const string Rbac = "k8s.io.api.rbac.v1.";

    public static readonly ProtoMessage PolicyRule = new(Rbac + "PolicyRule",
        Strs(1, "verbs"), Strs(2, "apiGroups"), Strs(3, "resources"), Strs(4, "resourceNames"), Strs(5, "nonResourceURLs"));

    public static readonly ProtoMessage Subject = new(Rbac + "Subject",
        Str(1, "kind", Zero.Keep), Str(2, "apiGroup"), Str(3, "name", Zero.Keep), Str(4, "namespace"));

    public static readonly ProtoMessage RoleRef = new(Rbac + "RoleRef",
        Str(1, "apiGroup", Zero.Keep), Str(2, "kind", Zero.Keep), Str(3, "name", Zero.Keep));

    public static readonly ProtoMessage AggregationRule = new(Rbac + "AggregationRule", Msgs(1, "clusterRoleSelectors", LabelSelector));

    public static readonly ProtoMessage Role = new(Rbac + "Role", Msg(1, "metadata", ObjectMeta), Msgs(2, "rules", PolicyRule));

    public static readonly ProtoMessage ClusterRole = new(Rbac + "ClusterRole",
        Msg(1, "metadata", ObjectMeta), Msgs(2, "rules", PolicyRule), Msg(3, "aggregationRule", AggregationRule));

    public static readonly ProtoMessage RoleBinding = new(Rbac + "RoleBinding",
        Msg(1, "metadata", ObjectMeta), Msgs(2, "subjects", Subject), Msg(3, "roleRef", RoleRef));

    public static readonly ProtoMessage ClusterRoleBinding = new(Rbac + "ClusterRoleBinding",
        Msg(1, "metadata", ObjectMeta), Msgs(2, "subjects", Subject), Msg(3, "roleRef", RoleRef));
}
