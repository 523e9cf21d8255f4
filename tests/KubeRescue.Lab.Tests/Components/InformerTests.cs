using k8s;
using k8s.Models;
using KubeRescue.Lab.ApiServer.Hosting;
using KubeRescue.Lab.Components;

namespace KubeRescue.Lab.Tests.Components;

public class InformerTests
{
    [Fact]
    public async Task Lists_then_sees_adds_updates_and_deletes_in_order()
    {
        await using var server = await LabApiServer.StartAsync(new LabApiServerOptions());
        using var client = new Kubernetes(server.ClientConfiguration());
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
}
