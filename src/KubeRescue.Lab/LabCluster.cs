using KubeRescue.Lab.ApiServer.Faults;
using KubeRescue.Lab.ApiServer.Hosting;
using KubeRescue.Lab.Bootstrap;
using KubeRescue.Lab.Components.ControllerManager;
using KubeRescue.Lab.Components.Nodes;
using KubeRescue.Lab.Components.Scheduler;
using KubeRescue.Lab.Components;
using k8s.Models;
using k8s;

namespace KubeRescue.Lab;

public sealed record LabClusterOptions
{
    public int Masters { get; init; } = 3;
    public int Workers { get; init; } = 2;
    /// <summary>0 picks a free port.</summary>
    public int Port { get; init; }
    /// <summary>Where the API server listens: loopback unless told otherwise (the lab's admin token is in its kubeconfig, in the clear).</summary>
    public System.Net.IPAddress BindAddress { get; init; } = System.Net.IPAddress.Loopback;
    public string? KubeconfigPath { get; init; }
    /// <summary>Boot from these kube-system manifests instead of the built-in ones.</summary>
    public string? ManifestsDirectory { get; init; }
    public LabTiming Timing { get; init; } = LabTiming.Real;
    /// <summary>
    /// The lab's one clock, as client-go's leader elector and KWOK take one: the API server's (timestamps, TTLs, watch
    /// bookmarks) and every emulated component's (heartbeats, back-offs, grace periods, events), the system's by default.
    /// <see cref="Timing"/> scales the durations; this says what time it is and how waits pass. Only the leader
    /// electors of the scheduler and controller-manager (KubernetesClient's, which take no clock) keep the wall clock.
    /// </summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;
    /// <summary>Where the components' logs go (each line prefixed by its source).</summary>
    public TextWriter Log { get; init; } = TextWriter.Null;
    /// <summary>API faults for clients from the start (the lab's own components never see them).</summary>
    public ApiFaults ApiFaults { get; init; } = ApiFaults.None;
    /// <summary>More users, from a static token file (see <see cref="LabApiServerOptions.TokenAuthFile"/>).</summary>
    public string? TokenAuthFile { get; init; }
}

/// <summary>
/// The whole lab: the API server, emulated kubelets for every node, and a self-hosted control plane booted the
/// way bootkube boots one. Start it with <see cref="StartAsync"/>; it is ready when kube-scheduler and
/// kube-controller-manager are Available and each Lease is held by one of their pods.
/// </summary>
public sealed class LabCluster : IAsyncDisposable
{
    LabCluster(LabApiServer api, KubeletFleet kubelets, LabClusterOptions options)
    {
        Api = api;
        Kubelets = kubelets;
        Options = options;
        Leases = LeaseLedger.Start(api.Storage, [.. ControlPlaneReadiness.Components]);
    }

    public LabApiServer Api { get; }

    /// <summary>Every write to the scheduler's and controller-manager's Leases since the lab started: who led when.</summary>
    public LeaseLedger Leases { get; }
    public KubeletFleet Kubelets { get; }
    public LabClusterOptions Options { get; }

    /// <summary>The binaries a container's command can start in this lab: the emulated scheduler and controller-manager.</summary>
    public static IReadOnlyList<IEmulatedBinary> Binaries(string caPem) =>
    [
        new SchedulerBinary(),
        new ControllerManagerBinary(() =>
        [
            new DeploymentController(), new ReplicaSetController(), new DaemonSetController(), new GarbageCollector(),
            new NodeLifecycleController(), new TaintEvictionController(), new NamespaceController(),
            new ServiceAccountController(), new RootCaCertPublisher(caPem),
        ]),
    ];

    public static async Task<LabCluster> StartAsync(LabClusterOptions options, Action<string>? progress = null, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Masters, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(options.Workers);
        var say = progress ?? (_ => { });
        // Read a user's manifests before anything starts: a bad directory must fail fast and leave nothing running.
        var manifests = options.ManifestsDirectory is null ? Manifests.BuiltIn() : Manifests.FromDirectory(options.ManifestsDirectory);

        var api = await LabApiServer.StartAsync(new LabApiServerOptions
        {
            Port = options.Port, BindAddress = options.BindAddress, KubeconfigPath = options.KubeconfigPath, ApiFaults = options.ApiFaults, TokenAuthFile = options.TokenAuthFile,
            Clock = options.Clock,
        }, ct);
        var binaries = Binaries(api.CaPem);
        var kubelets = new KubeletFleet(api.ClientConfiguration(), options.Timing, options.Clock, binaries, options.Log);
        var cluster = new LabCluster(api, kubelets, options);
        try
        {
            say($"registering {options.Masters} masters and {options.Workers} workers");
            for (var i = 1; i <= options.Masters; i++) await kubelets.AddNodeAsync(NodeSpec.Master($"master-{i}", $"10.0.0.{10 + i}"), ct);
            for (var i = 1; i <= options.Workers; i++) await kubelets.AddNodeAsync(NodeSpec.Worker($"worker-{i}", WorkerAddress(i)), ct);
            await cluster.BootSelfHostedAsync(manifests, binaries, say, ct);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    static string WorkerAddress(int i) => $"10.0.{1 + i / 250}.{i % 250 + 1}";

    /// <summary>
    /// bootkube's sequence: start a temporary scheduler and controller-manager on the first master, create the
    /// self-hosted assets, wait until the self-hosted pods run, tear the temporary ones down, and wait until the
    /// self-hosted ones lead.
    /// </summary>
    async Task BootSelfHostedAsync(IReadOnlyList<object> manifests, IReadOnlyList<IEmulatedBinary> binaries, Action<string> say, CancellationToken ct)
    {
        using var client = new k8s.Kubernetes(Api.ClientConfiguration());
        say("starting the temporary bootstrap control plane");
        var temporary = TemporaryControlPlane.Start(Kubelets.NewClientConfiguration(), "master-1", Options.Timing, Options.Clock, Options.Log,
            (binaries[0], "kube-scheduler", ["--leader-elect=true"]),
            (binaries[1], "kube-controller-manager", ["--leader-elect=true"]));
        await using (temporary)
        {
            say("creating self-hosted assets");
            await Manifests.CreateAsync(client, manifests, ct);
            foreach (var component in ControlPlaneReadiness.Components)
            {
                await WaitForRunningPodAsync(client, component, ct);
                say($"pod status: {component} Running");
            }
            say("tearing down the temporary bootstrap control plane");
        }
        await ControlPlaneReadiness.WaitAsync(client, Options.Timing.Seconds(0.5), Options.Clock, why => say($"waiting: {why}"), ct);
    }

    async Task WaitForRunningPodAsync(IKubernetes client, string component, CancellationToken ct)
    {
        while (true)
        {
            var pods = await client.CoreV1.ListNamespacedPodAsync("kube-system", labelSelector: $"k8s-app={component}", cancellationToken: ct);
            if (pods.Items.Any(p => p.Status?.Phase == "Running" && p.Metadata.DeletionTimestamp is null)) return;
            await Task.Delay(Options.Timing.Seconds(0.5), Options.Clock, ct);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Kubelets.DisposeAsync();
        await Leases.DisposeAsync();
        await Api.DisposeAsync();
    }
}
