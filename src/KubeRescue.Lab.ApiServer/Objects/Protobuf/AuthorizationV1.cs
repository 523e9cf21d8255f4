using static KubeRescue.Lab.ApiServer.Objects.Protobuf.Apimachinery;
using static KubeRescue.Lab.ApiServer.Objects.Protobuf.Field;

namespace KubeRescue.Lab.ApiServer.Objects.Protobuf;

/// <summary>k8s.io/api authorization/v1 messages, numbered as in its generated.proto: what <c>kubectl auth can-i</c> sends.</summary>
public static class AuthorizationV1
{
    const string Authorization = "k8s.io.api.authorization.v1.";

    public static readonly ProtoMessage FieldSelectorRequirement = new(Authorization + "FieldSelectorRequirement",
        Str(1, "key", Zero.Keep), Str(2, "operator", Zero.Keep), Strs(3, "values"));

    public static readonly ProtoMessage FieldSelectorAttributes = new(Authorization + "FieldSelectorAttributes",
        Str(1, "rawSelector"), Msgs(2, "requirements", FieldSelectorRequirement));

    public static readonly ProtoMessage LabelSelectorAttributes = new(Authorization + "LabelSelectorAttributes",
        Str(1, "rawSelector"), Msgs(2, "requirements", LabelSelectorRequirement));

    public static readonly ProtoMessage ResourceAttributes = new(Authorization + "ResourceAttributes",
        Str(1, "namespace"), Str(2, "verb"), Str(3, "group"), Str(4, "version"), Str(5, "resource"), Str(6, "subresource"),
        Str(7, "name"), Msg(8, "fieldSelector", FieldSelectorAttributes), Msg(9, "labelSelector", LabelSelectorAttributes));

    public static readonly ProtoMessage NonResourceAttributes = new(Authorization + "NonResourceAttributes", Str(1, "path"), Str(2, "verb"));

    public static readonly ProtoMessage SelfSubjectAccessReviewSpec = new(Authorization + "SelfSubjectAccessReviewSpec",
        Msg(1, "resourceAttributes", ResourceAttributes), Msg(2, "nonResourceAttributes", NonResourceAttributes));

    public static readonly ProtoMessage SubjectAccessReviewStatus = new(Authorization + "SubjectAccessReviewStatus",
        Bool(1, "allowed", Zero.Keep), Bool(4, "denied"), Str(2, "reason"), Str(3, "evaluationError"));

    public static readonly ProtoMessage SelfSubjectAccessReview = new(Authorization + "SelfSubjectAccessReview",
        Msg(1, "metadata", ObjectMeta), Msg(2, "spec", SelfSubjectAccessReviewSpec), Msg(3, "status", SubjectAccessReviewStatus));
}
