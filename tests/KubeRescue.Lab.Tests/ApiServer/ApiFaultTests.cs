using System.Diagnostics;
using System.Net;
using System.Text.Json;
using KubeRescue.Lab.ApiServer.Faults;
using KubeRescue.Lab.ApiServer.Hosting;
using KubeRescue.Lab.ApiServer.Http;
using KubeRescue.Lab.Faults;
using k8s.Models;
using k8s;

namespace KubeRescue.Lab.Tests.ApiServer;

/// <summary>
/// The flaky API server (<c>--api-faults</c>): what its clients see, that the lab's own components see none of it,
/// and that the faults follow their ConfigMap while the server runs. Each test has its own server: faults are the
/// server's state.
/// </summary>
public class ApiFaultTests
{
    /// <summary>A server with these faults; <c>user</c> is a client they apply to, <c>lab.Client</c> a component.</summary>
    static async Task WithLabAsync(ApiFaults faults, Func<LabServerFixture, HttpClient, Task> test)
    {
        var lab = await LabServerFixture.StartAsync(LabServerFixture.Options with { ApiFaults = faults });
        try
        {
            using var user = lab.Http();
            await test(lab, user);
        }
        finally
        {
            await lab.DisposeAsync();
        }
    }

    [Theory]
    [InlineData("error-rate=0.1,reset-rate=0.01,latency=200ms,watch-drop=30s")]
    [InlineData("latency=1.5s")]
    [InlineData("none")]
    public void The_flag_form_reads_back_as_written(string spec)
    {
        var faults = ApiFaults.Parse(spec);

        Assert.Equal(faults, ApiFaults.Parse(faults.ToString()));
        Assert.Equal(spec, faults.ToString());
    }

    [Theory]
    [InlineData("error-rate=1.5", "error-rate must be a fraction from 0 to 1")]
    [InlineData("error-rate", "is not key=value")]
    [InlineData("latency=fast", "latency must be a duration")]
    [InlineData("watch-drop=-1s", "watch-drop must be a duration")]
    [InlineData("drop-rate=0.1", "unknown fault \"drop-rate\"")]
    public void A_bad_spec_says_what_is_wrong(string spec, string message)
    {
        var e = Assert.Throws<FormatException>(() => ApiFaults.Parse(spec));

        Assert.Contains(message, e.Message);
    }

    [Fact]
    public async Task Clients_get_429_with_Retry_After_500_and_503_while_the_components_are_served()
    {
        await WithLabAsync(ApiFaults.Parse("error-rate=1"), async (lab, user) =>
        {
            var codes = new HashSet<HttpStatusCode>();
            for (var i = 0; i < 60; i++)
            {
                using var r = await user.GetAsync("/api/v1/namespaces");
                codes.Add(r.StatusCode);
                using var status = JsonDocument.Parse(await r.Content.ReadAsStringAsync());
                Assert.Equal("Status", status.RootElement.GetProperty("kind").GetString());
                Assert.Equal((int)r.StatusCode, status.RootElement.GetProperty("code").GetInt32());
                if (r.StatusCode == HttpStatusCode.TooManyRequests) Assert.Equal("1", r.Headers.RetryAfter?.ToString());
            }

            Assert.Equal([HttpStatusCode.TooManyRequests, HttpStatusCode.InternalServerError, HttpStatusCode.ServiceUnavailable], codes.Order());
            Assert.NotEmpty((await lab.Client.CoreV1.ListNamespaceAsync()).Items);
        });
    }

    [Fact]
    public async Task The_faults_ConfigMap_and_discovery_are_never_faulted()
    {
        await WithLabAsync(ApiFaults.Parse("error-rate=1"), async (lab, user) =>
        {
            using var r = await user.GetAsync($"/api/v1/namespaces/{FaultInjector.Namespace}/configmaps/{FaultInjector.ConfigMapName}");

            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            Assert.Contains("error-rate=1", await r.Content.ReadAsStringAsync());
            // kubectl reads discovery before it can reach the ConfigMap.
            foreach (var path in new[] { "/version", "/api", "/api/v1", "/apis", "/apis/apps", "/apis/apps/v1" })
            {
                using var d = await user.GetAsync(path);
                Assert.True(d.StatusCode == HttpStatusCode.OK, $"{path}: {d.StatusCode}");
            }
            foreach (var path in new[] { "/api/v1/namespaces", "/apis/apps/v1/deployments", $"/api/v1/namespaces/{FaultInjector.Namespace}/configmaps/other" })
            {
                using var f = await user.GetAsync(path);
                Assert.False(f.IsSuccessStatusCode, path);
            }
        });
    }

    [Fact]
    public async Task Faults_follow_their_ConfigMap_while_the_server_runs()
    {
        await WithLabAsync(ApiFaults.None, async (lab, user) =>
        {
            async Task<bool> Served() { using var r = await user.GetAsync("/api/v1/namespaces"); return r.IsSuccessStatusCode; }
            Assert.True(await Served());

            var configMap = new V1ConfigMap
            {
                Metadata = new V1ObjectMeta { Name = FaultInjector.ConfigMapName },
                Data = new Dictionary<string, string> { [FaultInjector.DataKey] = "error-rate=1" },
            };
            await lab.Client.CoreV1.CreateNamespacedConfigMapAsync(configMap, FaultInjector.Namespace);
            await Wait.UntilAsync(async () => !await Served(), what: "requests failing once the ConfigMap asks for it");

            // Not a valid spec: no faults rather than a guess.
            configMap.Data[FaultInjector.DataKey] = "error-rate=lots";
            await lab.Client.CoreV1.ReplaceNamespacedConfigMapAsync(configMap, FaultInjector.ConfigMapName, FaultInjector.Namespace);
            await Wait.UntilAsync(Served, what: "requests served again once the spec is invalid");

            configMap.Data[FaultInjector.DataKey] = "error-rate=1";
            await lab.Client.CoreV1.ReplaceNamespacedConfigMapAsync(configMap, FaultInjector.ConfigMapName, FaultInjector.Namespace);
            await Wait.UntilAsync(async () => !await Served(), what: "requests failing again");
            await lab.Client.CoreV1.DeleteNamespacedConfigMapAsync(FaultInjector.ConfigMapName, FaultInjector.Namespace);
            await Wait.UntilAsync(Served, what: "requests served once the ConfigMap is gone");
        });
    }

    [Fact]
    public async Task Every_request_waits_the_latency()
    {
        await WithLabAsync(ApiFaults.Parse("latency=300ms"), async (lab, user) =>
        {
            var clock = Stopwatch.StartNew();
            using var r = await user.GetAsync("/api/v1/namespaces");

            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(300), $"answered in {clock.Elapsed.TotalMilliseconds:F0} ms");
        });
    }

    [Fact]
    public async Task A_reset_connection_is_a_transport_error()
    {
        await WithLabAsync(ApiFaults.Parse("reset-rate=1"), async (lab, user) =>
        {
            await Assert.ThrowsAnyAsync<HttpRequestException>(() => user.GetAsync("/api/v1/namespaces"));
        });
    }

    [Fact]
    public async Task A_watch_is_cut_mid_stream()
    {
        await WithLabAsync(ApiFaults.Parse("watch-drop=1s"), async (lab, user) =>
        {
            using var response = await user.GetAsync("/api/v1/namespaces?watch=true", HttpCompletionOption.ResponseHeadersRead);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());

            // The initial ADDED events, then the cut: an error, not the end of a stream the server closed.
            var cut = await Assert.ThrowsAnyAsync<Exception>(async () =>
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                while (await reader.ReadLineAsync(timeout.Token) is not null) { }
            });
            Assert.True(cut is IOException or HttpRequestException, cut.ToString());
        });
    }
}
