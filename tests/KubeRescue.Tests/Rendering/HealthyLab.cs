using k8s;
using KubeRescue.Lab;
using KubeRescue.Lab.Components;

namespace KubeRescue.Tests.Rendering;

/// <summary>
/// One healthy lab (3 masters, 1 worker, five times real speed) for the source and placement tests, which run one
/// after the other on it: each leaves it as it found it.
/// </summary>
public sealed class HealthyLab : IAsyncLifetime
{
    public const string Collection = "rescue pod: a healthy lab";

    public LabCluster Cluster { get; private set; } = null!;
    public k8s.Kubernetes Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        Cluster = await LabCluster.StartAsync(new LabClusterOptions { Masters = 3, Workers = 1, Timing = new LabTiming(5) }, ct: cts.Token);
        Client = new k8s.Kubernetes(Cluster.Api.ClientConfiguration());
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await Cluster.DisposeAsync();
    }
}

[CollectionDefinition(HealthyLab.Collection)]
public sealed class HealthyLabCollection : ICollectionFixture<HealthyLab>;
