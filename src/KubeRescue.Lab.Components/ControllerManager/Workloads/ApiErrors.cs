using System.Net;
using System.Text.Json;
using k8s.Autorest;

namespace KubeRescue.Lab.Components.ControllerManager.Workloads;

/// <summary>apimachinery's errors.IsNotFound / IsConflict / IsAlreadyExists over the client's exceptions.</summary>
static class ApiErrors
{
    public static bool IsNotFound(Exception e) => Code(e) == HttpStatusCode.NotFound;

    public static bool IsConflict(Exception e) => Code(e) == HttpStatusCode.Conflict && Reason(e) != "AlreadyExists";

    public static bool IsAlreadyExists(Exception e) => Code(e) == HttpStatusCode.Conflict && Reason(e) == "AlreadyExists";

    public static bool IsInvalid(Exception e) => Code(e) == HttpStatusCode.UnprocessableEntity;

    /// <summary>Whether the failure came from the API server answering (as opposed to cancellation or a bug).</summary>
    public static bool IsApi(Exception e) => e is HttpOperationException or HttpRequestException or IOException;

    /// <summary>The error as Go's StatusError prints it: the Status message, else the client's message.</summary>
    public static string Message(Exception e) => StatusField(e, "message") ?? e.Message;

    static HttpStatusCode? Code(Exception e) => (e as HttpOperationException)?.Response?.StatusCode;

    static string? Reason(Exception e) => StatusField(e, "reason");

    static string? StatusField(Exception e, string field)
    {
        if (e is not HttpOperationException { Response.Content: { Length: > 0 } content }) return null;
        try
        {
            using var doc = JsonDocument.Parse(content);
            return doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty(field, out var v) && v.ValueKind == JsonValueKind.String
                ? v.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
