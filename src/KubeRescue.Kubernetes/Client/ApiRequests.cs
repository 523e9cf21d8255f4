using System.Net;
using k8s;
using k8s.Autorest;

namespace KubeRescue.Kubernetes.Client;

/// <summary>
/// A request the client's typed calls do not make (a watch read as it streams, a metadata-only read of any
/// resource), sent as the client sends its own: its base address, credentials and handlers (retries, logging),
/// HTTP/2 where offered, headers read before the body. A refusal is the <see cref="HttpOperationException"/> the
/// typed calls throw, so <see cref="ApiErrors"/> reads both alike.
/// </summary>
public static class ApiRequests
{
    /// <param name="body">JSON to send, with its content type, or null</param>
    public static async Task<HttpResponseMessage> SendAsync(IKubernetes client, HttpMethod method, string pathAndQuery,
        (string Json, string ContentType)? body, CancellationToken ct)
    {
        var kubernetes = client as k8s.Kubernetes ?? throw new NotSupportedException($"a raw request needs the client's {nameof(k8s.Kubernetes)} class, not {client.GetType().Name}");
        using var request = new HttpRequestMessage(method, new Uri(kubernetes.BaseUri, pathAndQuery)) { Version = HttpVersion.Version20 };
        if (body is var (json, contentType))
            request.Content = new StringContent(json, System.Text.Encoding.UTF8, new System.Net.Http.Headers.MediaTypeHeaderValue(contentType));
        if (kubernetes.Credentials is { } credentials) await credentials.ProcessHttpRequestAsync(request, ct);
        var response = await kubernetes.HttpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        if (response.IsSuccessStatusCode) return response;
        using (response)
        {
            var content = await response.Content.ReadAsStringAsync(ct);
            throw new HttpOperationException($"Operation returned an invalid status code '{response.StatusCode}', response body {content}")
            {
                Request = new HttpRequestMessageWrapper(request, body?.Json ?? ""),
                Response = new HttpResponseMessageWrapper(response, content),
            };
        }
    }
}
