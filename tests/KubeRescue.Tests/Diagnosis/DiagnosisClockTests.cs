using k8s;
using k8s.Models;
using KubeRescue.Diagnosis;
using KubeRescue.Lab.ApiServer.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace KubeRescue.Tests.Diagnosis;

/// <summary>
/// The diagnosis judges what it reads at the time of the clock it is given. On the lab's API server alone, which
/// shares the fake clock as a cluster's API server shares this machine's time (it stamps the pod's creation); the
/// lease's renewal is written as its holder would.
/// </summary>
public class DiagnosisClockTests
{
    [Fact]
    public async Task A_lease_is_held_to_the_last_instant_of_its_duration_and_ages_are_read_at_the_clock_s_time()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2025, 3, 4, 5, 6, 0, TimeSpan.Zero));
        await using var server = await LabApiServer.StartAsync(new LabApiServerOptions { Clock = clock });
        using var client = new k8s.Kubernetes(server.ClientConfiguration());
        await client.CoreV1.CreateNamespacedPodAsync(new V1Pod
        {
            Metadata = new() { Name = "web-1" },
            Spec = new V1PodSpec { Containers = [new() { Name = "web", Image = "nginx" }] },
        }, "default");
        clock.Advance(TimeSpan.FromSeconds(185));
        await client.CoordinationV1.CreateNamespacedLeaseAsync(new V1Lease
        {
            Metadata = new() { Name = "kube-scheduler" },
            Spec = new V1LeaseSpec { HolderIdentity = "kube-scheduler-1_0b6c", LeaseDurationSeconds = 15, RenewTime = clock.GetUtcNow().UtcDateTime },
        }, "kube-system");

        clock.Advance(TimeSpan.FromSeconds(15));
        var held = await ControlPlaneDiagnoser.DiagnoseAsync(client, ControlPlaneComponent.Scheduler, clock, CancellationToken.None);
        Assert.True(held.Lease is { Held: true, Expired: false, SecondsSinceRenewal: 15 }, held.Summary);
        Assert.Equal((1, 200, "default/web-1"), (held.Pending!.Count, held.Pending.OldestAgeSeconds, held.Pending.OldestPod));
        Assert.Contains("1 pods in the cluster wait for a scheduler, the oldest (default/web-1) for 3m20s", held.Summary);
        Assert.Contains("lease held by kube-scheduler-1_0b6c, which is not a live pod, renewed 15s ago of 15s", held.Summary);

        clock.Advance(TimeSpan.FromTicks(1));
        var expired = await ControlPlaneDiagnoser.DiagnoseAsync(client, ControlPlaneComponent.Scheduler, clock, CancellationToken.None);
        Assert.True(expired.Lease is { Held: false, Expired: true }, expired.Summary);
        Assert.Contains("lease of kube-scheduler-1_0b6c expired 0s ago", expired.Summary);
    }
}
