using k8s;
using k8s.Models;
using KubeRescue.Lab.Components.ControllerManager;
using KubeRescue.Lab.Tests.ApiServer;

namespace KubeRescue.Lab.Tests.ControlPlane.Workloads;

public class ReplicaSetControllerTests(LabServerFixture lab) : IClassFixture<LabServerFixture>
{
    readonly k8s.Kubernetes _client = lab.Client;

    [Fact]
    public async Task Creates_pods_from_the_template_owned_by_the_replica_set_and_replaces_a_deleted_one()
    {
        await using var _ = new RunningControllers(lab, new ReplicaSetController());
        var name = ApiTestObjects.Unique("rs");
        var rs = await _client.AppsV1.CreateNamespacedReplicaSetAsync(Workload.ReplicaSet(name, 3), "default");

        await Wait.UntilAsync(async () => (await Workload.PodsAsync(_client, name)).Count == 3, Workload.Timeout, "3 pods");
        var pods = await Workload.PodsAsync(_client, name);
        foreach (var pod in pods)
        {
            Assert.StartsWith($"{name}-", pod.Metadata.Name);
            Assert.Equal(name + "-", pod.Metadata.GenerateName);
            Assert.Equal(name, pod.Metadata.Labels["app"]);
            var owner = Assert.Single(pod.Metadata.OwnerReferences);
            Assert.Equal(("apps/v1", "ReplicaSet", name, rs.Metadata.Uid, true, true),
                (owner.ApiVersion, owner.Kind, owner.Name, owner.Uid, owner.Controller, owner.BlockOwnerDeletion));
        }
        // A fourth pod never appears: the controller's own creates are expected, not repeated.
        await Wait.UntilAsync(async () => (await _client.AppsV1.ReadNamespacedReplicaSetAsync(name, "default")).Status?.Replicas == 3, Workload.Timeout, "status.replicas 3");
        Assert.Equal(3, (await Workload.PodsAsync(_client, name, activeOnly: false)).Count);

        var events = await Workload.EventsAsync(_client, name);
        Assert.Equal(pods.Select(p => $"Created pod: {p.Metadata.Name}").Order(), events.Where(e => e.Reason == "SuccessfulCreate").Select(e => e.Message).Order());
        Assert.All(events, e => Assert.Equal("replicaset-controller", e.Source.Component));

        await _client.CoreV1.DeleteNamespacedPodAsync(pods[0].Metadata.Name, "default");
        await Wait.UntilAsync(async () =>
        {
            var now = await Workload.PodsAsync(_client, name);
            return now.Count == 3 && now.All(p => p.Metadata.Name != pods[0].Metadata.Name);
        }, Workload.Timeout, "a replacement pod");
    }

    [Fact]
    public async Task Status_counts_ready_and_available_pods_and_scale_down_removes_the_unready_first()
    {
        await using var _ = new RunningControllers(lab, new ReplicaSetController());
        var name = ApiTestObjects.Unique("rs");
        await _client.AppsV1.CreateNamespacedReplicaSetAsync(Workload.ReplicaSet(name, 3), "default");
        await Wait.UntilAsync(async () => (await Workload.PodsAsync(_client, name)).Count == 3, Workload.Timeout, "3 pods");
        var pods = await Workload.PodsAsync(_client, name);
        await Workload.MakeReadyAsync(_client, pods[0]);
        await Workload.MakeReadyAsync(_client, pods[1]);

        await Wait.UntilAsync(async () =>
        {
            var s = (await _client.AppsV1.ReadNamespacedReplicaSetAsync(name, "default")).Status;
            return s is { Replicas: 3, FullyLabeledReplicas: 3, ReadyReplicas: 2, AvailableReplicas: 2, ObservedGeneration: 1 };
        }, Workload.Timeout, "status 3/2/2");

        await _client.AppsV1.PatchNamespacedReplicaSetScaleAsync(new V1Patch("""{"spec":{"replicas":2}}""", V1Patch.PatchType.MergePatch), name, "default");
        await Wait.UntilAsync(async () => (await Workload.PodsAsync(_client, name)).Count == 2, Workload.Timeout, "2 pods");
        var left = (await Workload.PodsAsync(_client, name)).Select(p => p.Metadata.Name).Order();
        Assert.Equal(new[] { pods[0].Metadata.Name, pods[1].Metadata.Name }.Order(), left);
        await Wait.UntilAsync(async () =>
        {
            var rs = await _client.AppsV1.ReadNamespacedReplicaSetAsync(name, "default");
            return rs.Status is { Replicas: 2, ReadyReplicas: 2, ObservedGeneration: 2 };
        }, Workload.Timeout, "status after scale down");
        Assert.Contains(await Workload.EventsAsync(_client, name), e => e.Reason == "SuccessfulDelete" && e.Message == $"Deleted pod: {pods[2].Metadata.Name}");
    }

    [Fact]
    public async Task Min_ready_seconds_delays_availability()
    {
        await using var _ = new RunningControllers(lab, new ReplicaSetController());
        var name = ApiTestObjects.Unique("rs");
        // 10 s at the tests' speed 10 is one second.
        await _client.AppsV1.CreateNamespacedReplicaSetAsync(Workload.ReplicaSet(name, 1, minReadySeconds: 10), "default");
        await Wait.UntilAsync(async () => (await Workload.PodsAsync(_client, name)).Count == 1, Workload.Timeout, "a pod");
        await Workload.ReadyAllAsync(_client, name);
        await Wait.UntilAsync(async () => (await _client.AppsV1.ReadNamespacedReplicaSetAsync(name, "default")).Status is { ReadyReplicas: 1, AvailableReplicas: 0 }, Workload.Timeout, "ready, not yet available");
        await Wait.UntilAsync(async () => (await _client.AppsV1.ReadNamespacedReplicaSetAsync(name, "default")).Status is { AvailableReplicas: 1 }, Workload.Timeout, "available");
    }

    [Fact]
    public async Task Adopts_matching_orphans_and_releases_pods_that_stop_matching()
    {
        var name = ApiTestObjects.Unique("rs");
        var orphan = ApiTestObjects.Pod($"{name}-orphan", labels: new Dictionary<string, string> { ["app"] = name });
        await _client.CoreV1.CreateNamespacedPodAsync(orphan, "default");

        await using var _ = new RunningControllers(lab, new ReplicaSetController());
        var rs = await _client.AppsV1.CreateNamespacedReplicaSetAsync(Workload.ReplicaSet(name, 2), "default");
        await Wait.UntilAsync(async () => (await Workload.PodsAsync(_client, name)).Count == 2, Workload.Timeout, "2 pods");
        var adopted = await _client.CoreV1.ReadNamespacedPodAsync(orphan.Metadata.Name, "default");
        Assert.Equal(rs.Metadata.Uid, Assert.Single(adopted.Metadata.OwnerReferences).Uid);

        // Relabelled out of the selector: released, and replaced.
        await _client.CoreV1.PatchNamespacedPodAsync(new V1Patch("""{"metadata":{"labels":{"app":"elsewhere"}}}""", V1Patch.PatchType.MergePatch), orphan.Metadata.Name, "default");
        await Wait.UntilAsync(async () => (await _client.CoreV1.ReadNamespacedPodAsync(orphan.Metadata.Name, "default")).Metadata.OwnerReferences is null or { Count: 0 }, Workload.Timeout, "released");
        await Wait.UntilAsync(async () => (await Workload.PodsAsync(_client, name)).Count == 2, Workload.Timeout, "a replacement");
        await _client.CoreV1.DeleteNamespacedPodAsync(orphan.Metadata.Name, "default");
    }

    [Fact]
    public async Task A_restarted_controller_does_not_duplicate_pods()
    {
        var name = ApiTestObjects.Unique("rs");
        await using (new RunningControllers(lab, new ReplicaSetController()))
        {
            await _client.AppsV1.CreateNamespacedReplicaSetAsync(Workload.ReplicaSet(name, 2), "default");
            await Wait.UntilAsync(async () => (await Workload.PodsAsync(_client, name)).Count == 2, Workload.Timeout, "2 pods");
        }
        var before = (await Workload.PodsAsync(_client, name)).Select(p => p.Metadata.Name).Order().ToList();
        await using (new RunningControllers(lab, new ReplicaSetController()))
        {
            await _client.AppsV1.PatchNamespacedReplicaSetAsync(new V1Patch("""{"metadata":{"labels":{"touched":"yes"}}}""", V1Patch.PatchType.MergePatch), name, "default");
            await Wait.UntilAsync(async () => (await _client.AppsV1.ReadNamespacedReplicaSetAsync(name, "default")).Status?.Replicas == 2, Workload.Timeout, "resynced");
            await Task.Delay(RunningControllers.Timing.Seconds(5));
            Assert.Equal(before, (await Workload.PodsAsync(_client, name, activeOnly: false)).Select(p => p.Metadata.Name).Order());
        }
    }
}
