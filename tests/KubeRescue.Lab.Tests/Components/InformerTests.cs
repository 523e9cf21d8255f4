using KubeRescue.Kubernetes.Client;
using KubeRescue.Lab.ApiServer.Hosting;
using KubeRescue.Lab.Components;
using k8s.Models;
using k8s;

namespace KubeRescue.Lab.Tests.Components;

public class InformerTests
{
    [Fact]
    public async Task Lists_then_sees_adds_updates_and_deletes_in_order()
    {
        await using var server = await LabApiServer.StartAsync(new LabApiServerOptions());
        using var client = new k8s.Kubernetes(server.ClientConfiguration());
        var informer = Informers.Pods(client);
        var log = new System.Collections.Concurrent.ConcurrentQueue<string>();
        informer.Added += p => log.Enqueue($"+{p.Metadata.Name}");
        informer.Updated += (_, p) => log.Enqueue($"~{p.Metadata.Name}");
        informer.Deleted += p => log.Enqueue($"-{p.Metadata.Name}");
        V1Pod Pod(string name) => new() { Metadata = new() { Name = name }, Spec = new() { Containers = [new() { Name = "c", Image = "i" }] } };

        await client.CoreV1.CreateNamespacedPodAsync(Pod("before"), "default");
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var run = informer.RunAsync(cts.Token);
        await informer.Synced.WaitAsync(cts.Token);
        Assert.NotNull(informer.Get("default", "before"));

        var p = await client.CoreV1.CreateNamespacedPodAsync(Pod("after"), "default");
        p.Metadata.Labels = new Dictionary<string, string> { ["x"] = "y" };
        await client.CoreV1.ReplaceNamespacedPodAsync(p, "after", "default");
        await client.CoreV1.DeleteNamespacedPodAsync("before", "default");
        await Wait.UntilAsync(() => Task.FromResult(log.Contains("-before") && log.Contains("~after")), TimeSpan.FromSeconds(10));
        Assert.Equal(["+before", "+after", "~after", "-before"], log);
        Assert.Equal(["after"], informer.Items.Select(i => i.Metadata.Name));
        cts.Cancel();
        await run;
    }

    [Fact]
    public async Task A_throwing_handler_does_not_stop_the_informer()
    {
        await using var server = await LabApiServer.StartAsync(new LabApiServerOptions());
        using var client = new k8s.Kubernetes(server.ClientConfiguration());
        var informer = Informers.Pods(client);
        var seen = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var failures = 0;
        informer.Added += _ => throw new InvalidOperationException("handler bug");
        informer.Added += p => seen.Enqueue(p.Metadata.Name);
        informer.HandlerFailed += _ => Interlocked.Increment(ref failures);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var run = informer.RunAsync(cts.Token);
        await informer.Synced.WaitAsync(cts.Token);
        foreach (var name in new[] { "a", "b" })
            await client.CoreV1.CreateNamespacedPodAsync(new V1Pod { Metadata = new() { Name = name }, Spec = new() { Containers = [new() { Name = "c", Image = "i" }] } }, "default");
        await Wait.UntilAsync(() => Task.FromResult(seen.Count == 2));
        Assert.Equal(2, Volatile.Read(ref failures));
        cts.Cancel();
        await run;
    }
}
