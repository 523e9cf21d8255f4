using System.Net;
using System.Security.Authentication;
using System.Text.Json;
using System.Text.RegularExpressions;
using k8s.Autorest;

namespace KubeRescue.Kubernetes.Client;

/// <summary>
/// What went wrong talking to the API server, read from the client's exceptions: apimachinery's errors.IsNotFound,
/// IsConflict and the like over the Status the server sent, and the failure in words an operator can act on (a 403
/// names the verb, resource and namespace refused; a transport failure TLS, refused, DNS).
/// </summary>
public static partial class ApiErrors
{
    /// <summary>The API server answered with an error, or the request or its stream failed on the way: not a bug or a cancellation.</summary>
    public static bool IsApiOrTransport(Exception e) => e is HttpOperationException or HttpRequestException or IOException;

    public static bool IsNotFound(Exception e) => Code(e) == HttpStatusCode.NotFound;

    public static bool IsConflict(Exception e) => Code(e) == HttpStatusCode.Conflict && Reason(e) != "AlreadyExists";

    public static bool IsAlreadyExists(Exception e) => Code(e) == HttpStatusCode.Conflict && Reason(e) == "AlreadyExists";

    public static bool IsInvalid(Exception e) => Code(e) == HttpStatusCode.UnprocessableEntity;

    /// <summary>The error as Go's StatusError prints it: the Status message, else the client's message.</summary>
    public static string Message(Exception e) => StatusField(e, "message") ?? e.Message;

    /// <summary>The Status reason (<c>NotFound</c>, <c>AlreadyExists</c>, <c>Expired</c>...), if the server sent one.</summary>
    public static string? Reason(Exception e) => StatusField(e, "reason");

    static HttpStatusCode? Code(Exception e) => (e as HttpOperationException)?.Response?.StatusCode;

    static string? StatusField(Exception e, string field) =>
        e is HttpOperationException { Response.Content: { Length: > 0 } content } ? StatusField(content, field) : null;

    /// <summary>401, 403 or a transport failure: the cluster cannot be used as configured, as opposed to a refused request.</summary>
    public static bool IsAccessProblem(Exception e) =>
        e is HttpRequestException || (e is HttpOperationException h && h.Response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden);

    /// <param name="server">The API server's address, named in a transport failure when given.</param>
    public static string Describe(Exception e, string? server = null)
    {
        switch (e)
        {
            case HttpOperationException h:
                var code = (int)h.Response.StatusCode;
                var message = StatusField(h.Response.Content, "message");
                return h.Response.StatusCode switch
                {
                    HttpStatusCode.Unauthorized => $"the API server refused the credentials (401 Unauthorized){(message is null ? "" : $": {message}")}: check the kubeconfig's user",
                    HttpStatusCode.Forbidden => $"permission denied (403): {message ?? "forbidden"}{MissingRule(message)}",
                    _ => $"{message ?? h.Message} ({code})",
                };
            case HttpRequestException r when Find<AuthenticationException>(r) is { } tls:
                return $"TLS failed talking to the API server: {tls.Message} (is the kubeconfig's certificate-authority the cluster's?)" +
                    (server is null ? "" : $" (server {server})");
            case HttpRequestException r:
                return $"cannot reach the API server{(server is null ? "" : $" at {server}")}: {r.Message}";
            default:
                return e.Message;
        }
    }

    // kube-apiserver's words for a refusal (responsewriters' forbiddenMessage): the verb, the resource and the scope asked.
    [GeneratedRegex(
        @"cannot (?<verb>\S+) resource ""(?<resource>[^""]+)"" in API group ""(?<group>[^""]*)"" (?:in the namespace ""(?<ns>[^""]+)""|at the cluster scope)")]
    private static partial Regex Refused();

    [GeneratedRegex(@"cannot (?<verb>\S+) path ""(?<path>[^""]+)""")]
    private static partial Regex RefusedPath();

    const string AllRules = "docs/rbac.yaml has every rule kube-rescue needs";

    /// <summary>The RBAC rule that would have allowed a refused request, as a role's rules say it.</summary>
    static string MissingRule(string? message)
    {
        if (message is null) return "";
        if (Refused().Match(message) is { Success: true } m)
        {
            var where = m.Groups["ns"].Success ? $"granted in namespace {m.Groups["ns"].Value}" : "granted cluster-wide";
            return $". Missing RBAC rule: apiGroups: [\"{m.Groups["group"].Value}\"], resources: [{m.Groups["resource"].Value}], verbs: [{m.Groups["verb"].Value}] ({where}); {AllRules}";
        }
        if (RefusedPath().Match(message) is { Success: true } p)
            return $". Missing RBAC rule: nonResourceURLs: [{p.Groups["path"].Value}], verbs: [{p.Groups["verb"].Value}] (granted cluster-wide); {AllRules}";
        return "";
    }

    static string? StatusField(string? content, string field)
    {
        if (string.IsNullOrEmpty(content)) return null;
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

    static T? Find<T>(Exception e) where T : Exception
    {
        for (Exception? x = e; x is not null; x = x.InnerException)
            if (x is T t) return t;
        return null;
    }
}
