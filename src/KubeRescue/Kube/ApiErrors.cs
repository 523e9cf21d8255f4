using System.Net;
using System.Security.Authentication;
using System.Text.Json;
using k8s.Autorest;

namespace KubeRescue.Kube;

/// <summary>
/// What went wrong talking to the API server, in words an operator can act on: the Status message the server sent
/// (a 403 names the verb, resource and namespace that were refused), or the transport failure (TLS, refused, DNS).
/// </summary>
public static class ApiErrors
{
    public static bool IsApiOrTransport(Exception e) => e is HttpOperationException or HttpRequestException;

    /// <summary>401, 403 or a transport failure: the cluster cannot be used as configured, as opposed to a refused request.</summary>
    public static bool IsAccessProblem(Exception e) =>
        e is HttpRequestException || (e is HttpOperationException h && h.Response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden);

    public static string Describe(Exception e)
    {
        switch (e)
        {
            case HttpOperationException h:
                var code = (int)h.Response.StatusCode;
                var message = StatusMessage(h.Response.Content);
                return h.Response.StatusCode switch
                {
                    HttpStatusCode.Unauthorized => $"the API server refused the credentials (401 Unauthorized){(message is null ? "" : $": {message}")}: check the kubeconfig's user",
                    HttpStatusCode.Forbidden => $"permission denied (403): {message ?? "forbidden"}",
                    _ => $"{message ?? h.Message} ({code})",
                };
            case HttpRequestException r when Find<AuthenticationException>(r) is { } tls:
                return $"TLS failed talking to the API server: {tls.Message} (is the kubeconfig's certificate-authority the cluster's?)";
            case HttpRequestException r:
                return $"cannot reach the API server: {r.Message}";
            default:
                return e.Message;
        }
    }

    static string? StatusMessage(string? content)
    {
        if (string.IsNullOrEmpty(content)) return null;
        try
        {
            using var doc = JsonDocument.Parse(content);
            return doc.RootElement.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
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
