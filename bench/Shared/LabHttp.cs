using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace KubeRescue.Bench;

/// <summary>The benchmarks' raw HTTP client for a lab: its own CA as the only root, the kubeconfig's bearer token.</summary>
static class LabHttp
{
    /// <param name="connections">connections at most; over HTTP/2 more than one only with <paramref name="multipleHttp2"/></param>
    public static HttpClient Client(Uri url, string token, X509Certificate2 ca, Version version, int connections, bool multipleHttp2, TimeSpan idleTimeout)
    {
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = connections,
            EnableMultipleHttp2Connections = multipleHttp2,
            PooledConnectionIdleTimeout = idleTimeout,
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, cert, _, _) =>
                {
                    using var chain = new X509Chain();
                    chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                    chain.ChainPolicy.CustomTrustStore.Add(ca);
                    chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                    return cert is not null && chain.Build(new X509Certificate2(cert));
                },
            },
        };
        var http = new HttpClient(handler)
        {
            BaseAddress = url,
            DefaultRequestVersion = version,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Timeout = Timeout.InfiniteTimeSpan,
        };
        http.DefaultRequestHeaders.Authorization = new("Bearer", token);
        return http;
    }
}
