using System.Net;
using k8s;

namespace KubeRescue.Diagnosis;

/// <summary>
/// The API server's own health endpoints, <c>/livez</c> and <c>/readyz</c>, asked with <c>?verbose</c> so that a
/// failure names its failed checks (<c>[-]etcd failed: reason withheld</c>). A failure is evidence, not an exception.
/// </summary>
public static class ApiServerProbe
{
    public static async Task<ApiServerHealth> ProbeAsync(IKubernetes client, CancellationToken ct)
    {
        // The endpoints are outside the typed API: a raw GET through the client's own HttpClient, which holds its
        // TLS and client-certificate setup; its credentials (a token) are added as the client adds them.
        if (client is not k8s.Kubernetes kubernetes) return await VersionOnlyAsync(client, ct);
        var live = await GetAsync(kubernetes, "livez", ct);
        var ready = await GetAsync(kubernetes, "readyz", ct);
        var detail = string.Join("; ", new[] { live.Detail, ready.Detail }.Where(d => d is not null));
        return new(live.Ok, ready.Ok, detail.Length == 0 ? null : detail);
    }

    /// <summary>
    /// Whether the endpoint answered 200, and what went wrong if not. A 401 or 403 only says this user may not ask
    /// (the endpoints are public by default, through system:public-info-viewer, but a cluster can withdraw that):
    /// no evidence of ill health, so it counts as ok, with a note.
    /// </summary>
    static async Task<(bool Ok, string? Detail)> GetAsync(k8s.Kubernetes client, string endpoint, CancellationToken ct)
    {
        var baseUri = client.BaseUri.AbsoluteUri.EndsWith('/') ? client.BaseUri : new Uri(client.BaseUri.AbsoluteUri + "/");
        // HTTP/2 as the client's typed calls ask it, so the probes share their connection instead of opening a
        // second one (a second TLS handshake) for HTTP/1.1.
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(baseUri, $"{endpoint}?verbose"))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
        };
        try
        {
            if (client.Credentials is { } credentials) await credentials.ProcessHttpRequestAsync(request, ct);
            using var response = await client.HttpClient.SendAsync(request, ct);
            if (response.IsSuccessStatusCode) return (true, null);
            if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
                return (true, $"/{endpoint}: not asked, HTTP {(int)response.StatusCode}: this user may not read it");
            var body = await response.Content.ReadAsStringAsync(ct);
            var failed = body.Split('\n', StringSplitOptions.TrimEntries).Where(l => l.StartsWith("[-]", StringComparison.Ordinal)).ToList();
            var why = failed.Count > 0 ? string.Join(", ", failed) : body.Trim() is { Length: > 0 and <= 200 } text ? text : response.ReasonPhrase;
            return (false, $"/{endpoint}: HTTP {(int)response.StatusCode}: {why}");
        }
        catch (HttpRequestException e)
        {
            return (false, $"/{endpoint}: {e.Message}");
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            return (false, $"/{endpoint}: no answer within {client.HttpClient.Timeout.TotalSeconds:0}s");
        }
    }

    /// <summary>
    /// A client other than <see cref="Kubernetes"/> (a wrapper, a test double) offers no raw request: /version, which
    /// any API server serves to anyone, stands for both endpoints.
    /// </summary>
    static async Task<ApiServerHealth> VersionOnlyAsync(IKubernetes client, CancellationToken ct)
    {
        try
        {
            var version = await client.Version.GetCodeAsync(ct);
            return new(true, true, $"/livez and /readyz not asked (not a Kubernetes client); /version answered {version.GitVersion}");
        }
        catch (Exception e) when (e is HttpRequestException or k8s.Autorest.HttpOperationException)
        {
            return new(false, false, $"/version: {e.Message}");
        }
    }
}
