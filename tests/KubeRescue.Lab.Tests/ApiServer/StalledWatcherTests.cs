using System.Net;
using System.Text;
using k8s;
using k8s.Models;
using KubeRescue.Lab.ApiServer.Hosting;
using KubeRescue.Lab.ApiServer.Storage;

namespace KubeRescue.Lab.Tests.ApiServer;

/// <summary>A client that opens a watch and stops reading it: what it costs the server and everyone else.</summary>
public class StalledWatcherTests
{
    const int Writes = 1_500;
    const int WatcherBuffer = 200;

    /// <summary>HTTP/1.1: the stall is a full TCP window. HTTP/2: one stream stalls while its connection carries others.</summary>
    public static TheoryData<string> Versions => new() { "1.1", "2.0" };

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task A_watch_nobody_reads_is_cut_once_it_falls_behind_and_delays_neither_writes_nor_other_watches(string version)
    {
        var store = new InMemoryStore(watcherBuffer: WatcherBuffer);
        await using var lab = await LabServerFixture.StartAsync(new LabApiServerOptions { Store = store });
        await lab.Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "stall" } });
        const string watch = "/api/v1/namespaces/stall/configmaps?watch=true&resourceVersion=0";

        var watchersBefore = store.WatcherCount;
        // Its body is never read (for now). Over HTTP/2 the reading watch shares its connection.
        using var stalledHttp = lab.Http(version: Version.Parse(version));
        using var stalled = await stalledHttp.GetAsync(watch, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, stalled.StatusCode);

        using var healthyHttp = version == "2.0" ? null : lab.Http();
        using var healthy = await (healthyHttp ?? stalledHttp).GetAsync(watch, HttpCompletionOption.ResponseHeadersRead);
        var seen = 0;
        var reading = Task.Run(async () =>
        {
            using var reader = new StreamReader(await healthy.Content.ReadAsStreamAsync());
            while (await reader.ReadLineAsync() is { } line)
                if (line.StartsWith("{\"type\":\"ADDED\"", StringComparison.Ordinal)) Interlocked.Increment(ref seen);
        });

        // 32 KiB each: 48 MiB in all, far more than the stalled connection's socket buffers hold.
        var data = new string('x', 32 * 1024);
        for (var i = 0; i < Writes; i++)
            await lab.Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = $"cm-{i}" }, Data = new Dictionary<string, string> { ["d"] = data } }, "stall");

        await Wait.UntilAsync(() => Task.FromResult(Volatile.Read(ref seen) == Writes), TimeSpan.FromSeconds(60), "the reading watcher to see every write");
        // The server let go of the stalled watch (its handler ended, its buffer freed) while its client still holds it.
        await Wait.UntilAsync(() => Task.FromResult(store.WatcherCount == watchersBefore + 1), TimeSpan.FromSeconds(30), "the stalled watch to be let go");

        // The stalled client reads at last: what reached it, then the end of a stream the server cut (ended, or its
        // connection reset: Kestrel cannot deliver the end to a client that does not read).
        using var read = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var stalledSaw = 0;
        try
        {
            using var reader = new StreamReader(await stalled.Content.ReadAsStreamAsync(read.Token));
            while (await reader.ReadLineAsync(read.Token) is { } line)
                if (line.StartsWith("{\"type\":\"ADDED\"", StringComparison.Ordinal)) stalledSaw++;
        }
        catch (IOException)
        {
        }
        Assert.False(read.IsCancellationRequested, "the stalled watch was never cut");
        // What it got before the cut, if anything (an HTTP/2 client drops a reset stream's buffered data): never everything.
        Assert.InRange(stalledSaw, 0, Writes - WatcherBuffer);
        Assert.False(reading.IsCompleted, "the reading watch is still open");
    }
}
