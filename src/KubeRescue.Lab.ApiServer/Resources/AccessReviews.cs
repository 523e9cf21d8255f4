using System.Text.Json.Nodes;
using KubeRescue.Kubernetes.Text;
using KubeRescue.Lab.ApiServer.Auth;
using KubeRescue.Lab.ApiServer.Errors;
using KubeRescue.Lab.ApiServer.Http;
using KubeRescue.Lab.ApiServer.Registry;
using KubeRescue.Lab.ApiServer.Validation;

namespace KubeRescue.Lab.ApiServer.Resources;

/// <summary>authentication.k8s.io/v1 selfsubjectreviews (<c>kubectl auth whoami</c>): who the server takes the requester for.</summary>
public sealed class SelfSubjectReview : Review
{
    public override Task<JsonObject> AnswerAsync(ApiRequest request, JsonObject review, ResourceStorage storage)
    {
        var user = new JsonObject { ["username"] = request.User.Name };
        if (request.User.Uid.Length > 0) user["uid"] = request.User.Uid;
        user["groups"] = new JsonArray(request.User.Groups.Select(g => (JsonNode)JsonValue.Create(g)).ToArray());
        review["status"] = new JsonObject { ["userInfo"] = user };
        return Task.FromResult(review);
    }
}

/// <summary>
/// authorization.k8s.io/v1 selfsubjectaccessreviews (<c>kubectl auth can-i</c>): may the requesting user do this
/// (resourceAttributes) or get that path (nonResourceAttributes)? Answered by the server's own authorizer, with its
/// reason, and never stored.
/// </summary>
public sealed class SelfSubjectAccessReview : Review
{
    public override async Task<JsonObject> AnswerAsync(ApiRequest request, JsonObject review, ResourceStorage storage)
    {
        var spec = review["spec"] as JsonObject;
        var resource = spec?["resourceAttributes"] as JsonObject;
        var nonResource = spec?["nonResourceAttributes"] as JsonObject;
        var errors = new List<FieldError>();
        if (resource is not null && nonResource is not null)
            errors.Add(FieldError.Invalid("spec.nonResourceAttributes", GoFormat.Json(GoFields(nonResource, "path", "verb")),
                "cannot be specified in combination with resourceAttributes"));
        if (resource is null && nonResource is null)
            errors.Add(FieldError.Invalid("spec.resourceAttributes", "null", "exactly one of nonResourceAttributes or resourceAttributes must be specified"));
        if (errors.Count > 0) throw ApiException.Invalid(request.Resource.Kind, request.Resource.Group, "", errors);

        string Attr(JsonObject attributes, string name) => (string?)attributes[name] ?? "";
        var attributes = resource is not null
            ? new RequestAttributes(request.User, Attr(resource, "verb"), true, "", Attr(resource, "group"), Attr(resource, "namespace"),
                Attr(resource, "resource"), Attr(resource, "subresource"), Attr(resource, "name"))
            : new RequestAttributes(request.User, Attr(nonResource!, "verb"), false, Attr(nonResource!, "path"));
        var decision = await new Authorizer(storage).AuthorizeAsync(attributes, request.Aborted);

        var status = new JsonObject { ["allowed"] = decision.Allowed };
        if (decision.Reason.Length > 0) status["reason"] = decision.Reason;
        review["status"] = status;
        return review;
    }

    /// <summary>An internal (untagged) Go struct as json.Marshal prints it: exported field names.</summary>
    static JsonObject GoFields(JsonObject obj, params string[] fields) =>
        new(fields.Select(f => KeyValuePair.Create(char.ToUpperInvariant(f[0]) + f[1..], (JsonNode?)((string?)obj[f] ?? ""))));
}
