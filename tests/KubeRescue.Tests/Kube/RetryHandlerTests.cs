using System.Net.Http.Headers;
using System.Net;
using KubeRescue.Kube;
using KubeRescue.Kubernetes.Client;
using k8s.Autorest;
using k8s;

namespace KubeRescue.Tests.Kube;

public class RetryHandlerTests
{
    const string Namespace = """{"kind":"Namespace","apiVersion":"v1","metadata":{"name":"kube-system"}}""";

    [Fact]
    public async Task Load_shedding_and_server_errors_are_retried_until_the_request_is_served()
    {
        var server = new FakeApiServer().Then(HttpStatusCode.TooManyRequests).Then(HttpStatusCode.InternalServerError)
            .Then(HttpStatusCode.ServiceUnavailable).Then(HttpStatusCode.BadGateway).Then(HttpStatusCode.GatewayTimeout).Then(HttpStatusCode.OK, Namespace);
        var retries = new List<string>();
        using var client = server.Client(new RetryHandler(retries.Add));

        var ns = await client.CoreV1.ReadNamespaceAsync("kube-system");

        Assert.Equal("kube-system", ns.Metadata.Name);
        Assert.Equal(6, server.Requests.Count);
        Assert.Equal(5, retries.Count);
        Assert.Matches(@"^GET /api/v1/namespaces/kube-system again in \d+\.\d s after 429 Too Many Requests$", retries[0]);
    }

    [Fact]
    public async Task A_reset_connection_is_retried_and_so_is_a_write()
    {
        var server = new FakeApiServer().ThenReset().Then(HttpStatusCode.Created, Namespace);
        using var client = server.Client(new RetryHandler());

        await client.CoreV1.CreateNamespaceAsync(new k8s.Models.V1Namespace { Metadata = new() { Name = "kube-system" } });

        Assert.Equal(["POST /api/v1/namespaces", "POST /api/v1/namespaces"], server.Requests);
    }

    [Fact]
    public async Task A_connection_that_cannot_be_made_fails_at_once()
    {
        var server = new FakeApiServer().ThenRefused().Then(HttpStatusCode.OK, Namespace);
        using var client = server.Client(new RetryHandler());

        var e = await Assert.ThrowsAsync<HttpRequestException>(() => client.CoreV1.ReadNamespaceAsync("kube-system"));

        Assert.Equal(HttpRequestError.ConnectionError, e.HttpRequestError);
        Assert.Single(server.Requests);
    }

    /// <summary>The request waits on the clock and is sent again exactly <paramref name="wait"/> later: not a tick sooner.</summary>
    static async Task AssertRetriedAfterAsync(FakeApiServer server, FakeClock clock, Task read, TimeSpan wait)
    {
        await clock.UntilWaitedOnAsync(read);
        clock.Advance(wait - TimeSpan.FromTicks(1));
        Assert.Equal((1, 1), (clock.Waiters, server.Requests.Count));
        clock.Advance(TimeSpan.FromTicks(1));
        Assert.Equal(0, clock.Waiters);
        await read.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(2, server.Requests.Count);
    }

    [Fact]
    public async Task The_server_s_Retry_After_is_waited()
    {
        var server = new FakeApiServer().Then(HttpStatusCode.TooManyRequests, retryAfter: TimeSpan.FromSeconds(1)).Then(HttpStatusCode.OK, Namespace);
        var retries = new List<string>();
        var clock = new FakeClock();
        using var client = server.Client(new RetryHandler(retries.Add, clock));

        await AssertRetriedAfterAsync(server, clock, client.CoreV1.ReadNamespaceAsync("kube-system"), TimeSpan.FromSeconds(1));

        Assert.EndsWith("again in 1.0 s after 429 Too Many Requests", Assert.Single(retries));
    }

    [Fact]
    public async Task A_Retry_After_date_is_waited_until_on_the_clock()
    {
        var clock = new FakeClock();
        var server = new FakeApiServer().Then(_ =>
        {
            var busy = new HttpResponseMessage(HttpStatusCode.ServiceUnavailable) { Content = new StringContent("{}") };
            busy.Headers.RetryAfter = new RetryConditionHeaderValue(clock.GetUtcNow().AddSeconds(5));
            return busy;
        }).Then(HttpStatusCode.OK, Namespace);
        var retries = new List<string>();
        using var client = server.Client(new RetryHandler(retries.Add, clock));

        await AssertRetriedAfterAsync(server, clock, client.CoreV1.ReadNamespaceAsync("kube-system"), TimeSpan.FromSeconds(5));

        Assert.EndsWith("again in 5.0 s after 503 Service Unavailable", Assert.Single(retries));
    }

    [Fact]
    public async Task What_a_retry_cannot_mend_is_answered_at_once()
    {
        var server = new FakeApiServer().Then(HttpStatusCode.Forbidden, """{"kind":"Status","message":"forbidden","code":403}""");
        using var client = server.Client(new RetryHandler());

        var e = await Assert.ThrowsAsync<HttpOperationException>(() => client.CoreV1.ReadNamespaceAsync("kube-system"));

        Assert.Equal(HttpStatusCode.Forbidden, e.Response.StatusCode);
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task After_ten_tries_the_last_answer_stands()
    {
        var server = new FakeApiServer();
        for (var i = 0; i < RetryHandler.MaxAttempts + 1; i++) server.Then(HttpStatusCode.ServiceUnavailable, retryAfter: TimeSpan.Zero);
        using var client = server.Client(new RetryHandler());

        var e = await Assert.ThrowsAsync<HttpOperationException>(() => client.CoreV1.ReadNamespaceAsync("kube-system"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, e.Response.StatusCode);
        Assert.Equal(RetryHandler.MaxAttempts, server.Requests.Count);
    }

    [Fact]
    public async Task Cancellation_ends_the_waiting()
    {
        var server = new FakeApiServer().Then(HttpStatusCode.TooManyRequests, retryAfter: TimeSpan.FromSeconds(30));
        var clock = new FakeClock();
        using var client = server.Client(new RetryHandler(clock: clock));
        using var cts = new CancellationTokenSource();

        // Cancelled while it waits out the Retry-After, which the clock, never moved, would never end.
        var read = client.CoreV1.ReadNamespaceAsync("kube-system", cancellationToken: cts.Token);
        await clock.UntilWaitedOnAsync(read);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => read);
        Assert.Single(server.Requests);
        Assert.Equal(0, clock.Waiters);
    }

    [Fact]
    public void Back_off_grows_to_its_cap_with_jitter_and_starts_over_after_a_reset()
    {
        var backoff = new Backoff(TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(5));
        var waits = Enumerable.Range(0, 8).Select(_ => backoff.Next().TotalSeconds).ToList();
        double[] nominal = [0.2, 0.4, 0.8, 1.6, 3.2, 5, 5, 5];
        Assert.All(waits.Zip(nominal), w => Assert.InRange(w.First, w.Second * 0.5, w.Second * 1.5));
        backoff.Reset();
        Assert.InRange(backoff.Next().TotalSeconds, 0.1, 0.3);
        // Jitter: a hundred first waits are not all the same.
        Assert.True(Enumerable.Range(0, 100).Select(_ => new Backoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1)).Next()).Distinct().Count() > 50);
    }
}
