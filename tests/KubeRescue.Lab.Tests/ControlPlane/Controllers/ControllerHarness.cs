using k8s;
using k8s.Models;
using KubeRescue.Lab.ApiServer.Hosting;
using KubeRescue.Lab.Components;
using KubeRescue.Lab.Components.ControllerManager;

namespace KubeRescue.Lab.Tests.ControlPlane.Controllers;

/// <summary>
/// A lab API server of its own and the controllers under test, run as the controller-manager runs them (one client,
/// shared informers, lab timing, one clock). The test plays kubelets and scheduler through its own client.
/// </summary>
public sealed class ControllerHarness : IAsyncDisposable
{
    readonly CancellationTokenSource _stop = new();
    readonly List<Task> _running = [];
    readonly k8s.Kubernetes _controllerClient;
    EventBroadcaster _events = null!;

    public LabApiServer Server { get; }
    public k8s.Kubernetes Client { get; }
    public LabTiming Timing { get; }
    public StringWriter Log { get; } = new();

    /// <summary>The controllers' informers: what they can see of the test's writes.</summary>
    public SharedInformers Informers { get; private set; } = null!;

    ControllerHarness(LabApiServer server, LabTiming timing)
    {
        Server = server;
        Timing = timing;
        Client = new k8s.Kubernetes(server.ClientConfiguration());
        _controllerClient = new k8s.Kubernetes(server.ClientConfiguration());
    }

    public static Task<ControllerHarness> StartAsync(double speed, params IController[] controllers) => StartAsync(speed, TimeProvider.System, controllers);

    /// <summary>The controllers on <paramref name="clock"/>; the API server stays on the system's (its watches' bookmarks let it shut down).</summary>
    public static async Task<ControllerHarness> StartAsync(double speed, TimeProvider clock, params IController[] controllers)
    {
        var harness = new ControllerHarness(await LabApiServer.StartAsync(LabServerFixture.Options), new LabTiming(speed));
        var informers = new SharedInformers(harness._controllerClient, clock, harness._stop.Token);
        var log = TextWriter.Synchronized(harness.Log);
        harness._events = new EventBroadcaster(harness._controllerClient, harness.Timing, clock, log.WriteLine);
        var context = new ControllerContext(harness._controllerClient, informers, harness.Timing, clock, "test-controller-manager", log, harness._events);
        harness.Informers = informers;
        foreach (var controller in controllers)
            harness._running.Add(Task.Run(() => controller.RunAsync(context, harness._stop.Token)));
        return harness;
    }

    public Task<V1Node> AddNodeAsync(string name, Dictionary<string, string>? labels = null, List<V1Taint>? taints = null) =>
        Client.CoreV1.CreateNodeAsync(new V1Node
        {
            Metadata = new V1ObjectMeta { Name = name, Labels = labels ?? new Dictionary<string, string> { ["kubernetes.io/hostname"] = name } },
            Spec = new V1NodeSpec { Taints = taints },
            Status = new V1NodeStatus { Conditions = [ReadyCondition(DateTime.UtcNow)] },
        });

    public static V1NodeCondition ReadyCondition(DateTime heartbeat) => new()
    {
        Type = "Ready", Status = "True", Reason = "KubeletReady", Message = "kubelet is posting ready status",
        LastHeartbeatTime = heartbeat, LastTransitionTime = heartbeat,
    };

    /// <summary>What a kubelet does every renew interval: renew its node Lease.</summary>
    public async Task RenewLeaseAsync(string node)
    {
        var now = DateTime.UtcNow;
        try
        {
            var lease = await Client.CoordinationV1.ReadNamespacedLeaseAsync(node, "kube-node-lease");
            lease.Spec.RenewTime = now;
            await Client.CoordinationV1.ReplaceNamespacedLeaseAsync(lease, node, "kube-node-lease");
        }
        catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            await Client.CoordinationV1.CreateNamespacedLeaseAsync(new V1Lease
            {
                Metadata = new V1ObjectMeta { Name = node },
                Spec = new V1LeaseSpec { HolderIdentity = node, LeaseDurationSeconds = 40, RenewTime = now },
            }, "kube-node-lease");
        }
    }

    public async Task<bool> IsGoneAsync(Func<Task> read)
    {
        try
        {
            await read();
            return false;
        }
        catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return true;
        }
    }

    public static V1PodTemplateSpec Template(Dictionary<string, string> labels) => new()
    {
        Metadata = new V1ObjectMeta { Labels = labels },
        Spec = new V1PodSpec { Containers = [new V1Container { Name = "main", Image = "registry.k8s.io/pause:3.10" }] },
    };

    public async ValueTask DisposeAsync()
    {
        // The lab API server's shutdown waits its full 30 s timeout for a watch cancelled before it wrote anything
        // (no event, no bookmark yet): let every watch get its first bookmark (500 ms in the fixture's options) first.
        await Task.Delay(LabServerFixture.Options.Watch.BookmarkInterval * 2);
        await _stop.CancelAsync();
        try { await Task.WhenAll(_running).WaitAsync(TimeSpan.FromSeconds(10)); }
        catch (OperationCanceledException) { }
        await Informers.Completion.WaitAsync(TimeSpan.FromSeconds(10));
        await _events.StopAsync();
        _controllerClient.Dispose();
        Client.Dispose();
        await Server.DisposeAsync();
        _stop.Dispose();
    }
}
