using static KubeRescue.Lab.ApiServer.Objects.Protobuf.Apimachinery;
using static KubeRescue.Lab.ApiServer.Objects.Protobuf.Field;

namespace KubeRescue.Lab.ApiServer.Objects.Protobuf;

/// <summary>k8s.io/api authentication/v1 messages, numbered as in its generated.proto: what <c>kubectl auth whoami</c> sends.</summary>
public static class AuthenticationV1
{
    const string Authentication = "k8s.io.api.authentication.v1.";

    public static readonly ProtoMessage ExtraValue = new(Authentication + "ExtraValue", Strs(1, "items"));

    public static readonly ProtoMessage UserInfo = new(Authentication + "UserInfo",
        Str(1, "username"), Str(2, "uid"), Strs(3, "groups"), MsgMap(4, "extra", ExtraValue));

    public static readonly ProtoMessage SelfSubjectReviewStatus = new(Authentication + "SelfSubjectReviewStatus", Msg(1, "userInfo", UserInfo));

    public static readonly ProtoMessage SelfSubjectReview = new(Authentication + "SelfSubjectReview",
        Msg(1, "metadata", ObjectMeta), Msg(2, "status", SelfSubjectReviewStatus));
}
