using System.Text.Json.Nodes;
using KubeRescue.Kubernetes.Text;

namespace KubeRescue.Lab.ApiServer.Errors;

/// <summary>
/// A failed request, carried to the handler's edge and written as a metav1 <c>Status</c> with the reason and
/// message the real API server gives (apimachinery's pkg/api/errors).
/// </summary>
public sealed class ApiException(int code, string reason, string message, JsonObject? details = null) : Exception(message)
{
    public int Code { get; } = code;
    public string Reason { get; } = reason;
    public JsonObject? Details { get; } = details;

    /// <summary>Seconds a client should wait before retrying (429, 503), sent as Retry-After and details.retryAfterSeconds.</summary>
    public int? RetryAfterSeconds { get; init; }

    public JsonObject ToStatus()
    {
        var status = new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Failure",
            ["message"] = Message,
            ["reason"] = Reason,
        };
        if (Details is not null) status["details"] = Details.DeepClone();
        status["code"] = Code;
        return status;
    }

    static JsonObject ResourceDetails(GroupResource resource, string name)
    {
        var d = new JsonObject { ["name"] = name };
        if (resource.Group.Length > 0) d["group"] = resource.Group;
        d["kind"] = resource.Resource;
        return d;
    }

    public static ApiException NotFound(GroupResource resource, string name) =>
        new(404, "NotFound", $"{resource} \"{name}\" not found", ResourceDetails(resource, name));

    public static ApiException AlreadyExists(GroupResource resource, string name) =>
        new(409, "AlreadyExists", $"{resource} \"{name}\" already exists", ResourceDetails(resource, name));

    public static ApiException Conflict(GroupResource resource, string name, string why) =>
        new(409, "Conflict", $"Operation cannot be fulfilled on {resource} \"{name}\": {why}", ResourceDetails(resource, name));

    public const string ModifiedMessage = "the object has been modified; please apply your changes to the latest version and try again";

    public static ApiException BadRequest(string message) => new(400, "BadRequest", message);

    public static ApiException MethodNotSupported(GroupResource resource, string verb) =>
        new(405, "MethodNotAllowed", $"{verb} is not supported on resources of kind \"{resource}\"", ResourceDetails(resource, ""));

    public static ApiException Forbidden(GroupResource resource, string name, string why) =>
        new(403, "Forbidden", $"{resource} \"{name}\" is forbidden: {why}", ResourceDetails(resource, name));

    /// <summary>422 with one cause per field error, as apierrors.NewInvalid builds it.</summary>
    public static ApiException Invalid(string kind, string group, string name, IReadOnlyList<FieldError> errors)
    {
        var causes = new JsonArray();
        foreach (var e in errors)
            causes.Add(new JsonObject { ["reason"] = e.Reason, ["message"] = $"{e.Message}", ["field"] = e.Field });
        var details = new JsonObject { ["name"] = name };
        if (group.Length > 0) details["group"] = group;
        details["kind"] = kind;
        details["causes"] = causes;
        return new ApiException(422, "Invalid", InvalidMessage(kind, group, name, errors), details);
    }

    /// <summary>
    /// The 422 Status message of apierrors.NewInvalid: <c>Kind[.group] "name" is invalid: errs</c>, where several
    /// errors are bracketed and comma-separated and duplicates are dropped.
    /// </summary>
    public static string InvalidMessage(string kind, string? group, string name, IReadOnlyList<FieldError> errors)
    {
        var qualified = string.IsNullOrEmpty(group) ? kind : kind + "." + group;
        var head = $"{qualified} {GoFormat.Quote(name)} is invalid";
        if (errors.Count == 0)
        {
            return head;
        }
        var messages = errors.Select(e => e.ToString()).Distinct(StringComparer.Ordinal).ToList();
        return head + ": " + (messages.Count == 1 ? messages[0] : "[" + string.Join(", ", messages) + "]");
    }

    public static ApiException NotFoundPath() => new(404, "NotFound", "the server could not find the requested resource");
}

/// <summary>A resource qualified by its group, printed as upstream does: <c>pods</c>, <c>deployments.apps</c>.</summary>
public readonly record struct GroupResource(string Group, string Resource)
{
    public override string ToString() => Group.Length == 0 ? Resource : $"{Resource}.{Group}";
}
