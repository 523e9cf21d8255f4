using System.Net;
using System.Text.Json;
using k8s;
using k8s.Models;
using static KubeRescue.Lab.Tests.ApiServer.ApiTestObjects;

namespace KubeRescue.Lab.Tests.ApiServer;

/// <summary>Watch semantics through the official client: resume, 410, bookmarks, filtered transitions.</summary>
public class WatchTests(LabServerFixture lab) : IClassFixture<LabServerFixture>
{
    readonly k8s.Kubernetes _client = lab.Client;

    async Task<string> NewNamespace()
    {
        var ns = Unique("w");
        await _client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new() { Name = ns } });
        return ns;
    }

    static async Task<List<(WatchEventType Type, T Object)>> Collect<T>(IAsyncEnumerable<(WatchEventType, T)> stream, int count, CancellationToken ct)
    {
        var events = new List<(WatchEventType, T)>();
        await foreach (var e in stream.WithCancellation(ct))
        {
            events.Add(e);
            if (events.Count == count) break;
        }
        return events;
    }

    [Fact]
    public async Task Watch_without_a_resource_version_starts_with_the_current_state()
    {
        var ns = await NewNamespace();
        await _client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new() { Name = "existing" } }, ns);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var stream = _client.CoreV1.WatchListNamespacedConfigMapAsync(ns, cancellationToken: cts.Token);
        var collecting = Collect(stream, 2, cts.Token);
        // Whether "later" lands before or after the watch starts, it arrives as ADDED after "existing" (lists are in key order).
        await _client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new() { Name = "later" } }, ns);
        var events = await collecting;
        Assert.Equal((WatchEventType.Added, "existing"), (events[0].Type, events[0].Object.Metadata.Name));
        Assert.Equal((WatchEventType.Added, "later"), (events[1].Type, events[1].Object.Metadata.Name));
    }

    [Fact]
    public async Task Watch_resumes_after_a_resource_version_with_every_later_event_in_order()
    {
        var ns = await NewNamespace();
        var a = await _client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new() { Name = "a" }, Data = new Dictionary<string, string> { ["v"] = "1" } }, ns);
        a.Data["v"] = "2";
        var a2 = await _client.CoreV1.ReplaceNamespacedConfigMapAsync(a, "a", ns);
        await _client.CoreV1.DeleteNamespacedConfigMapAsync("a", ns);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var events = await Collect(_client.CoreV1.WatchListNamespacedConfigMapAsync(ns, resourceVersion: a.Metadata.ResourceVersion, cancellationToken: cts.Token), 2, cts.Token);
        Assert.Equal([WatchEventType.Modified, WatchEventType.Deleted], events.Select(e => e.Type));
        Assert.Equal(a2.Metadata.ResourceVersion, events[0].Object.Metadata.ResourceVersion);
        Assert.True(long.Parse(events[1].Object.Metadata.ResourceVersion) > long.Parse(a2.Metadata.ResourceVersion));
    }

    [Fact]
    public async Task Watch_from_a_compacted_resource_version_gets_410_Expired()
    {
        // The fixture keeps 2,000 events; push the window past revision 1.
        var ns = await NewNamespace();
        var cm = await _client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new() { Name = "churn" }, Data = new Dictionary<string, string> { ["i"] = "0" } }, ns);
        for (var i = 1; i <= 2_001; i++)
        {
            cm.Data["i"] = i.ToString();
            cm = await _client.CoreV1.ReplaceNamespacedConfigMapAsync(cm, "churn", ns);
        }
        using var http = lab.Http();
        var body = await http.GetStringAsync($"/api/v1/namespaces/{ns}/configmaps?watch=true&resourceVersion=1&timeoutSeconds=5");
        var line = body.Split('\n', StringSplitOptions.RemoveEmptyEntries)[0];
        using var doc = JsonDocument.Parse(line);
        Assert.Equal("ERROR", doc.RootElement.GetProperty("type").GetString());
        var status = doc.RootElement.GetProperty("object");
        Assert.Equal(410, status.GetProperty("code").GetInt32());
        Assert.Equal("Expired", status.GetProperty("reason").GetString());
        Assert.StartsWith("too old resource version: 1 (", status.GetProperty("message").GetString());

        // The official client surfaces it as an error, and a relist plus watch from the list's version works.
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        Exception? error = null;
        await foreach (var _ in _client.CoreV1.WatchListNamespacedConfigMapAsync(ns, resourceVersion: "1", onError: e => error = e, cancellationToken: cts.Token)) { }
        Assert.NotNull(error);
        var list = await _client.CoreV1.ListNamespacedConfigMapAsync(ns);
        var resumed = _client.CoreV1.WatchListNamespacedConfigMapAsync(ns, resourceVersion: list.Metadata.ResourceVersion, cancellationToken: cts.Token);
        var next = Collect(resumed, 1, cts.Token);
        await _client.CoreV1.DeleteNamespacedConfigMapAsync("churn", ns);
        Assert.Equal(WatchEventType.Deleted, (await next)[0].Type);
    }

    [Fact]
    public async Task Bookmarks_carry_a_resource_version_to_resume_from()
    {
        var ns = await NewNamespace();
        var list = await _client.CoreV1.ListNamespacedPodAsync(ns);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var events = await Collect(_client.CoreV1.WatchListNamespacedPodAsync(ns, allowWatchBookmarks: true,
            resourceVersion: list.Metadata.ResourceVersion, cancellationToken: cts.Token), 1, cts.Token);
        Assert.Equal(WatchEventType.Bookmark, events[0].Type);
        Assert.True(long.Parse(events[0].Object.Metadata.ResourceVersion) >= long.Parse(list.Metadata.ResourceVersion));
    }

    [Fact]
    public async Task A_filtered_watch_sees_objects_leave_and_enter_its_selection()
    {
        var ns = await NewNamespace();
        var list = await _client.CoreV1.ListNamespacedPodAsync(ns);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var collecting = Collect(_client.CoreV1.WatchListNamespacedPodAsync(ns, labelSelector: "app=web",
            resourceVersion: list.Metadata.ResourceVersion, cancellationToken: cts.Token), 3, cts.Token);
        await _client.CoreV1.CreateNamespacedPodAsync(Pod("other", labels: new Dictionary<string, string> { ["app"] = "db" }), ns);
        var pod = await _client.CoreV1.CreateNamespacedPodAsync(Pod("p", labels: new Dictionary<string, string> { ["app"] = "db" }), ns);
        pod.Metadata.Labels["app"] = "web";
        pod = await _client.CoreV1.ReplaceNamespacedPodAsync(pod, "p", ns);
        pod.Metadata.Annotations = new Dictionary<string, string> { ["x"] = "y" };
        pod = await _client.CoreV1.ReplaceNamespacedPodAsync(pod, "p", ns);
        pod.Metadata.Labels["app"] = "db";
        await _client.CoreV1.ReplaceNamespacedPodAsync(pod, "p", ns);
        var events = await collecting;
        Assert.Equal([WatchEventType.Added, WatchEventType.Modified, WatchEventType.Deleted], events.Select(e => e.Type));
        Assert.All(events, e => Assert.Equal("p", e.Object.Metadata.Name));
    }

    [Fact]
    public async Task Many_watchers_each_get_every_event()
    {
        var ns = await NewNamespace();
        var list = await _client.CoreV1.ListNamespacedConfigMapAsync(ns);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        var watchers = Enumerable.Range(0, 20).Select(_ => Collect(
            _client.CoreV1.WatchListNamespacedConfigMapAsync(ns, resourceVersion: list.Metadata.ResourceVersion, cancellationToken: cts.Token), 5, cts.Token)).ToList();
        for (var i = 0; i < 5; i++) await _client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new() { Name = $"c{i}" } }, ns);
        foreach (var w in watchers)
            Assert.Equal(Enumerable.Range(0, 5).Select(i => $"c{i}"), (await w).Select(e => e.Object.Metadata.Name));
    }

    [Fact]
    public async Task A_watch_sends_its_headers_at_once_and_ends_when_the_server_stops()
    {
        var server = await KubeRescue.Lab.ApiServer.Hosting.LabApiServer.StartAsync(new());
        var stopped = false;
        try
        {
            using var http = new HttpClient(new SocketsHttpHandler
            {
                SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true },
            }) { BaseAddress = server.Url };
            http.DefaultRequestHeaders.Authorization = new("Bearer", server.Token);
            // Returns once the headers arrive, though no event has happened yet.
            using var response = await http.GetAsync("/api/v1/namespaces/default/pods?watch=true&resourceVersion=1", HttpCompletionOption.ResponseHeadersRead)
                .WaitAsync(TimeSpan.FromSeconds(10));
            Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
            var clock = System.Diagnostics.Stopwatch.StartNew();
            await server.DisposeAsync();
            stopped = true;
            // Kestrel waits up to 30 s for requests still running; an open watch must not be one of them.
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"shutdown took {clock.Elapsed}");
        }
        finally
        {
            if (!stopped) await server.DisposeAsync();
        }
    }
}
