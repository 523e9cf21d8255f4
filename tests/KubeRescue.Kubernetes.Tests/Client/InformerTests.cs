using System.Net;
using k8s.Models;
using KubeRescue.Kubernetes.Client;

namespace KubeRescue.Kubernetes.Tests.Client;

/// <summary>How an informer survives a flaky API server, seen in the requests it makes.</summary>
public class InformerTests
{
    static string List(string rv, params string[] pods) =>
        $$"""{"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"{{rv}}"},"items":[{{string.Join(",", pods.Select(p => Pod(p, rv)))}}]}""";

    static string Pod(string name, string rv) => $$$"""{"kind":"Pod","apiVersion":"v1","metadata":{"name":"{{{name}}}","namespace":"kube-system","resourceVersion":"{{{rv}}}"}}""";

    static string Event(string type, string name, string rv) => $$$"""{"type":"{{{type}}}","object":{{{Pod(name, rv)}}}}""";

    static async Task<IReadOnlyList<string>> RunUntilAsync(FakeApiServer server, Func<Informer<V1Pod>, bool> done)
    {
        using var client = server.Client();
        await using var informer = Informers.Pods(client, "kube-system", labelSelector: "k8s-app=kube-scheduler").Start();
        await Wait.UntilAsync(() => Task.FromResult(done(informer)), TimeSpan.FromSeconds(20), $"the informer's state after {string.Join(", ", server.Requests)}");
        return server.Requests;
    }

    static string Kind(string request) => request.Contains("watch=true", StringComparison.Ordinal)
        ? "watch from " + request.Split("resourceVersion=")[1]
        : "list";

    [Fact]
    public async Task A_cut_watch_resumes_from_the_last_version_it_saw_without_listing_again()
    {
        var server = new FakeApiServer().Then(HttpStatusCode.OK, List("10", "a"))
            .ThenCutAfter(Event("ADDED", "b", "11"), Event("MODIFIED", "a", "12"))
            .ThenReset()
            .ThenCutAfter(Event("ADDED", "c", "13"));

        var requests = await RunUntilAsync(server, w => w.Items.Count() == 3);

        Assert.Equal(["list", "watch from 10", "watch from 12", "watch from 12"], requests.Take(4).Select(Kind));
    }

    [Fact]
    public async Task Gone_lists_again()
    {
        const string gone = """{"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","status":"Failure","message":"too old resource version: 10 (50)","reason":"Expired","code":410}}""";
        var server = new FakeApiServer().Then(HttpStatusCode.OK, List("10", "a"))
            .ThenCutAfter(gone)
            .Then(HttpStatusCode.OK, List("50", "b"));

        var requests = await RunUntilAsync(server, w => w.Items.Select(p => p.Metadata.Name).SequenceEqual(["b"]));

        Assert.Equal(["list", "watch from 10", "list"], requests.Take(3).Select(Kind));
    }

    [Fact]
    public async Task An_unreadable_event_lists_again_rather_than_reading_it_forever()
    {
        var server = new FakeApiServer().Then(HttpStatusCode.OK, List("10", "a"))
            .ThenCutAfter("{not json")
            .Then(HttpStatusCode.OK, List("20", "a", "b"));

        var requests = await RunUntilAsync(server, w => w.Items.Count() == 2);

        Assert.Equal(["list", "watch from 10", "list"], requests.Take(3).Select(Kind));
    }
}
