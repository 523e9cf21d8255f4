using k8s;
using k8s.Models;
using KubeRescue.Lab;
using KubeRescue.Lab.Components;
using KubeRescue.Lab.Faults;
using KubeRescue.Placement;
using KubeRescue.Rendering;

namespace KubeRescue.Tests.Rendering;

/// <summary>A lab whose scheduler got a bad flag rolled out (revision 2 crash-loops, revision 1's pods are gone): it stays broken.</summary>
public sealed class BadSchedulerRolloutLab : IAsyncLifetime
{
    public LabCluster Cluster { get; private set; } = null!;
    public k8s.Kubernetes Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        Cluster = await LabCluster.StartAsync(new LabClusterOptions { Masters = 3, Workers = 1, Timing = new LabTiming(5) }, ct: cts.Token);
        Client = new k8s.Kubernetes(Cluster.Api.ClientConfiguration());
        await BadFlagFault.RunAsync(Client, ["kube-scheduler"], TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(60), _ => { }, cts.Token);
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await Cluster.DisposeAsync();
    }
}

/// <summary>After a bad rollout the Deployment's template is the bad one: revision sources reach back to the one that worked.</summary>
public class BadRolloutLabTests(BadSchedulerRolloutLab lab) : IClassFixture<BadSchedulerRolloutLab>
{
    static readonly ControlPlaneComponent Scheduler = ControlPlaneComponent.Scheduler;
    readonly k8s.Kubernetes _client = lab.Client;

    Task<RescueSource> ResolveAsync(string spec) => RescueSources.ResolveAsync(_client, Scheduler, RescueSourceSpec.Parse(spec), CancellationToken.None);

    static IList<string> Command(RescueSource source) => source.Template.Spec.Containers[0].Command;

    [Fact]
    public async Task The_deployment_source_is_the_bad_revision()
    {
        var source = await ResolveAsync("deployment");
        Assert.Equal("2", source.Revision);
        Assert.Contains(BadFlagFault.Flag, Command(source));
    }

    [Fact]
    public async Task Revision_1_is_the_template_before_the_flag_and_the_revisions_there_are_are_named()
    {
        var source = await ResolveAsync("revision=1");
        Assert.Equal("1", source.Revision);
        Assert.Equal(["./hyperkube", "scheduler", "--leader-elect=true"], Command(source));
        Assert.Contains(BadFlagFault.Flag, Command(await ResolveAsync("revision=2")));
        var e = await Assert.ThrowsAsync<RescueSourceException>(() => ResolveAsync("revision=3"));
        Assert.EndsWith("has no revision 3: its revisions are 1, 2", e.Message);
    }

    [Fact]
    public async Task Last_good_is_revision_1_and_its_rescue_pod_brings_the_lost_pods_back()
    {
        var source = await ResolveAsync("last-good");
        Assert.Equal("1", source.Revision);
        Assert.DoesNotContain(BadFlagFault.Flag, Command(source));
        // Revision 1's pods are gone or Pending (nothing schedules them), so its goodness is inferred from revision 2's crashes.
        Assert.Contains("Newer: revision 2 is bad: pod kube-scheduler-", source.Detail);
        Assert.Contains("CrashLoopBackOff", source.Detail);

        var ranked = await MasterPlacement.RankAsync(_client, Scheduler, RescuePodRenderer.Draft(Scheduler, source), CancellationToken.None);
        var pod = RescuePodRenderer.Render(Scheduler, source, ranked[0].Node);
        await _client.CoreV1.CreateNamespacedPodAsync(pod, "kube-system");
        try
        {
            await Wait.UntilAsync(async () =>
            {
                var rescue = await _client.CoreV1.ReadNamespacedPodAsync(pod.Metadata.Name, "kube-system");
                var lost = (await _client.CoreV1.ListNamespacedPodAsync("kube-system", labelSelector: "k8s-app=kube-scheduler")).Items
                    .Where(p => !p.Spec.Containers[0].Command.Contains(BadFlagFault.Flag)).ToList();
                // Ready, not necessarily unrestarted: on a loaded machine the 5x lab's scheduler may lose its 3 s lease and
                // exit 1 to be restarted, as the real one does.
                return rescue.Status?.ContainerStatuses?.SingleOrDefault() is { Ready: true }
                    && lost.Count > 0 && lost.All(p => p.Status?.Phase == "Running");
            }, TimeSpan.FromSeconds(60), "the rescue scheduler running and revision 1's pods scheduled and running");
        }
        finally
        {
            await _client.CoreV1.DeleteNamespacedPodAsync(pod.Metadata.Name, "kube-system");
        }
    }
}
