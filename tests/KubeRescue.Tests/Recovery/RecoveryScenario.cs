using k8s;
using k8s.Models;
using KubeRescue.Lab;
using KubeRescue.Lab.Components;
using KubeRescue.Recovery;

namespace KubeRescue.Tests.Recovery;

/// <summary>A lab of its own for one recovery scenario (the scenario breaks it), at five times real speed, and the recovery's record.</summary>
sealed class RecoveryScenario : IAsyncDisposable
{
    public static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(100);

    public required LabCluster Cluster { get; init; }
    /// <summary>The lab's log; the synchronized writer locks on itself, so reads take the same lock.</summary>
    public required TextWriter Log { get; init; }
    public required StringWriter LogText { get; init; }
    public required k8s.Kubernetes Client { get; init; }
    public List<RecoveryEvent> Events { get; } = [];

    public static async Task<RecoveryScenario> StartAsync(int masters = 3)
    {
        var text = new StringWriter();
        var log = TextWriter.Synchronized(text);
        var cluster = await LabCluster.StartAsync(new LabClusterOptions { Masters = masters, Workers = 1, Timing = new LabTiming(5), Log = log });
        return new RecoveryScenario { Cluster = cluster, Client = new k8s.Kubernetes(cluster.Api.ClientConfiguration()), Log = log, LogText = text };
    }

    public RecoveryOptions Options(params ControlPlaneComponent[] components) => new()
    {
        Components = components.Length == 0 ? ControlPlaneComponent.All : components,
        MinReady = TimeSpan.FromSeconds(1),
        Timeout = TimeSpan.FromMinutes(3),
    };

    /// <summary>Plans and runs a recovery through <paramref name="client"/> (the scenario's own by default).</summary>
    public async Task<RecoveryResult> RecoverAsync(RecoveryOptions options, CancellationToken ct = default, IKubernetes? client = null)
    {
        client ??= Client;
        var plan = await RecoveryPlanner.PlanAsync(client, options, ct);
        return await RecoveryRunner.RunAsync(client, plan, options, e => { lock (Events) Events.Add(e); }, ct);
    }

    /// <summary>The recovery's events, then what the rescue pods' own processes said: enough to tell why a scenario failed.</summary>
    public string Story
    {
        get
        {
            string events;
            lock (Events) events = string.Join("\n", Events.Select(e => $"{e.Kind} {e.Step} {e.Component}: {e.Message}"));
            string log;
            lock (Log) log = LogText.ToString();
            return events + "\n--- rescue pods' output:\n" + string.Join("\n", log.Split('\n').Where(l => l.Contains("-rescue/", StringComparison.Ordinal)));
        }
    }

    public async Task<IList<V1Pod>> PodsAsync(string app) =>
        (await Client.CoreV1.ListNamespacedPodAsync("kube-system", labelSelector: $"k8s-app={app}")).Items;

    /// <summary>The component works as before the fault: its pods run Ready on masters, one of them leads, and no rescue pod is left.</summary>
    public async Task AssertHealthyAsync(ControlPlaneComponent component)
    {
        var pods = await PodsAsync(component.Name);
        Assert.Equal(2, pods.Count(p => p.Status.Phase == "Running" && p.Status.Conditions.Any(c => c.Type == "Ready" && c.Status == "True")));
        Assert.All(pods, p => Assert.StartsWith("master-", p.Spec.NodeName));
        var lease = await Client.CoordinationV1.ReadNamespacedLeaseAsync(component.LeaseName, "kube-system");
        Assert.Contains(pods, p => lease.Spec.HolderIdentity.StartsWith(p.Metadata.Name + "_", StringComparison.Ordinal));
        Assert.Empty((await Client.CoreV1.ListNamespacedPodAsync("kube-system", labelSelector: RescueMetadata.ComponentLabel)).Items);
    }

    public async Task<IList<Corev1Event>> RescueEventsAsync(string deployment) =>
        (await Client.CoreV1.ListNamespacedEventAsync("kube-system", fieldSelector: $"involvedObject.name={deployment},source={RescueMetadata.FieldManager}")).Items;

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Cluster.DisposeAsync();
    }
}
