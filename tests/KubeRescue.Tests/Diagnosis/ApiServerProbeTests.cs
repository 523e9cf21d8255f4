using System.Net;
using k8s;
using KubeRescue.Diagnosis;

namespace KubeRescue.Tests.Diagnosis;

/// <summary>/livez and /readyz through the client's own HTTP stack, answered by a stand-in server.</summary>
public class ApiServerProbeTests
{
    /// <summary>Answers every request itself and remembers what was asked, with which credentials.</summary>
    sealed class StandIn(Func<string, (HttpStatusCode, string)> answer) : DelegatingHandler
    {
        public List<(string PathAndQuery, string? Authorization)> Requests { get; } = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
        {
            Requests.Add((request.RequestUri!.PathAndQuery, request.Headers.Authorization?.ToString()));
            var (status, body) = answer(request.RequestUri.AbsolutePath);
            return Task.FromResult(new HttpResponseMessage(status) { Content = new StringContent(body), RequestMessage = request });
        }
    }

    [Fact]
    public async Task A_failing_readyz_is_evidence_naming_its_failed_checks()
    {
        var standIn = new StandIn(path => path == "/prefix/readyz"
            ? (HttpStatusCode.InternalServerError, "[+]ping ok\n[+]log ok\n[-]etcd failed: reason withheld\n[+]poststarthook/start-informers ok\nreadyz check failed\n")
            : (HttpStatusCode.OK, "[+]ping ok\nlivez check passed\n"));
        using var client = new k8s.Kubernetes(new KubernetesClientConfiguration { Host = "https://api.example:6443/prefix", AccessToken = "t0ken" }, standIn);

        var health = await ApiServerProbe.ProbeAsync(client, CancellationToken.None);

        Assert.Equal(new ApiServerHealth(true, false, "/readyz: HTTP 500: [-]etcd failed: reason withheld"), health);
        Assert.Equal(Verdict.Degraded, health.Verdict);
        Assert.Equal([("/prefix/livez?verbose", "Bearer t0ken"), ("/prefix/readyz?verbose", "Bearer t0ken")], standIn.Requests);
    }

    [Fact]
    public async Task Endpoints_this_user_may_not_read_are_no_evidence_of_ill_health()
    {
        var standIn = new StandIn(_ => (HttpStatusCode.Forbidden, """{"kind":"Status","reason":"Forbidden"}"""));
        using var client = new k8s.Kubernetes(new KubernetesClientConfiguration { Host = "https://api.example:6443" }, standIn);
        var health = await ApiServerProbe.ProbeAsync(client, CancellationToken.None);
        Assert.Equal((true, true, Verdict.Healthy), (health.Live, health.Ready, health.Verdict));
        Assert.Equal("/livez: not asked, HTTP 403: this user may not read it; /readyz: not asked, HTTP 403: this user may not read it", health.Detail);
    }

    [Fact]
    public async Task An_unreachable_server_is_down_not_an_exception()
    {
        using var client = new k8s.Kubernetes(new KubernetesClientConfiguration { Host = "http://127.0.0.1:1" });
        var health = await ApiServerProbe.ProbeAsync(client, CancellationToken.None);
        Assert.Equal((false, false, Verdict.Down), (health.Live, health.Ready, health.Verdict));
        Assert.StartsWith("/livez: Connection refused", health.Detail);
        Assert.Contains("; /readyz: Connection refused", health.Detail);
    }
}
