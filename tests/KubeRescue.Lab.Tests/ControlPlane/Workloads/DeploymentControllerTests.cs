using k8s;
using k8s.Models;
using KubeRescue.Lab.Components.ControllerManager;
using KubeRescue.Lab.Tests.ApiServer;

namespace KubeRescue.Lab.Tests.ControlPlane.Workloads;

public class DeploymentControllerTests(LabServerFixture lab) : IClassFixture<LabServerFixture>
{
    readonly k8s.Kubernetes _client = lab.Client;

    RunningControllers ControllerManager() => new(lab, new DeploymentController(), new ReplicaSetController());

    Task<V1Deployment> ReadAsync(string name) => _client.AppsV1.ReadNamespacedDeploymentAsync(name, "default");

    /// <summary>kubectl rollout status's test for a finished rollout.</summary>
    static bool RolledOut(V1Deployment d) =>
        d.Metadata.Generation <= d.Status?.ObservedGeneration
        && d.Status.UpdatedReplicas >= d.Spec.Replicas
        && (d.Status.Replicas ?? 0) <= (d.Status.UpdatedReplicas ?? 0)
        && (d.Status.AvailableReplicas ?? 0) >= (d.Status.UpdatedReplicas ?? 0);

    /// <summary>Plays the kubelets until the rollout is done, checking on every step what the strategy promises.</summary>
    async Task RollOutAsync(string name, Action<List<V1ReplicaSet>, List<V1Pod>>? invariant = null)
    {
        await Wait.UntilAsync(async () =>
        {
            invariant?.Invoke(await Workload.ReplicaSetsAsync(_client, name), await Workload.PodsAsync(_client, name));
            await Workload.ReadyAllAsync(_client, name);
            return RolledOut(await ReadAsync(name));
        }, Workload.Timeout, $"rollout of {name}");
    }

    static Task<V1Deployment> SetImageAsync(IKubernetes client, string name, string image) => client.AppsV1.PatchNamespacedDeploymentAsync(
        new V1Patch("""{"spec":{"template":{"spec":{"containers":[{"name":"main","image":""" + $"\"{image}\"" + "}]}}}}", V1Patch.PatchType.StrategicMergePatch), name, "default");

    [Fact]
    public async Task Creates_its_replica_set_with_the_hash_and_revision_1_and_reports_a_finished_rollout()
    {
        await using var _ = ControllerManager();
        var name = ApiTestObjects.Unique("web");
        var d = await _client.AppsV1.CreateNamespacedDeploymentAsync(Workload.Deployment(name, 3), "default");

        await Wait.UntilAsync(async () => (await Workload.ReplicaSetsAsync(_client, name)).Count == 1, Workload.Timeout, "a replica set");
        var rs = Assert.Single(await Workload.ReplicaSetsAsync(_client, name));
        var hash = rs.Metadata.Labels["pod-template-hash"];
        Assert.Equal($"{name}-{hash}", rs.Metadata.Name);
        Assert.Matches("^[bcdfghjklmnpqrstvwxz2456789]+$", hash);
        Assert.Equal(hash, rs.Spec.Selector.MatchLabels["pod-template-hash"]);
        Assert.Equal(hash, rs.Spec.Template.Metadata.Labels["pod-template-hash"]);
        Assert.Equal("1", rs.Metadata.Annotations["deployment.kubernetes.io/revision"]);
        Assert.Equal("3", rs.Metadata.Annotations["deployment.kubernetes.io/desired-replicas"]);
        Assert.Equal("4", rs.Metadata.Annotations["deployment.kubernetes.io/max-replicas"]);
        var owner = Assert.Single(rs.Metadata.OwnerReferences);
        Assert.Equal(("Deployment", name, d.Metadata.Uid, true), (owner.Kind, owner.Name, owner.Uid, owner.Controller));

        await RollOutAsync(name);
        d = await ReadAsync(name);
        Assert.Equal("1", d.Metadata.Annotations["deployment.kubernetes.io/revision"]);
        Assert.Equal((3, 3, 3, 3), (d.Status.Replicas, d.Status.UpdatedReplicas, d.Status.ReadyReplicas, d.Status.AvailableReplicas));
        Assert.Equal(1, d.Metadata.Generation);
        await Wait.UntilAsync(async () => DeploymentConditions(await ReadAsync(name)).Contains(("Progressing", "True", "NewReplicaSetAvailable")), Workload.Timeout, "NewReplicaSetAvailable");
        d = await ReadAsync(name);
        var available = d.Status.Conditions.Single(c => c.Type == "Available");
        Assert.Equal(("True", "MinimumReplicasAvailable", "Deployment has minimum availability."), (available.Status, available.Reason, available.Message));
        Assert.Equal($"ReplicaSet \"{rs.Metadata.Name}\" has successfully progressed.", d.Status.Conditions.Single(c => c.Type == "Progressing").Message);
        Assert.All(await Workload.PodsAsync(_client, name), p => Assert.StartsWith($"{rs.Metadata.Name}-", p.Metadata.Name));
        Assert.Contains(await Workload.EventsAsync(_client, name), e => e.Reason == "ScalingReplicaSet" && e.Message == $"Scaled up replica set {rs.Metadata.Name} from 0 to 3");
    }

    static List<(string, string, string)> DeploymentConditions(V1Deployment d) =>
        (d.Status?.Conditions ?? []).Select(c => (c.Type, c.Status, c.Reason)).ToList();

    [Fact]
    public async Task A_template_change_rolls_out_within_max_surge_and_max_unavailable_and_rollback_reuses_the_old_replica_set()
    {
        await using var _ = ControllerManager();
        var name = ApiTestObjects.Unique("web");
        // 4 replicas, default 25%: maxSurge 1, maxUnavailable 1.
        await _client.AppsV1.CreateNamespacedDeploymentAsync(Workload.Deployment(name, 4), "default");
        await RollOutAsync(name);
        var first = Assert.Single(await Workload.ReplicaSetsAsync(_client, name));

        await SetImageAsync(_client, name, "example/app:2");
        await RollOutAsync(name, (rss, pods) =>
        {
            // The ReplicaSets and their replicas in the message: this once failed under a loaded machine's full suite.
            Assert.True(rss.Sum(rs => rs.Spec.Replicas ?? 0) <= 5,
                $"more than replicas + maxSurge: {string.Join(", ", rss.Select(rs => $"{rs.Metadata.Name} (rv {rs.Metadata.ResourceVersion}) = {rs.Spec.Replicas}"))}");
            var available = pods.Count(p => p.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true);
            Assert.True(available >= 3, $"only {available} available: fewer than replicas - maxUnavailable");
        });
        var rss = await Workload.ReplicaSetsAsync(_client, name);
        Assert.Equal(2, rss.Count);
        var second = rss.Single(rs => rs.Metadata.Uid != first.Metadata.Uid);
        Assert.Equal("2", second.Metadata.Annotations["deployment.kubernetes.io/revision"]);
        await Wait.UntilAsync(async () => (await _client.AppsV1.ReadNamespacedReplicaSetAsync(first.Metadata.Name, "default")).Spec.Replicas == 0, Workload.Timeout, "old replica set at 0");
        Assert.All(await Workload.PodsAsync(_client, name), p => Assert.Equal("example/app:2", p.Spec.Containers[0].Image));
        Assert.Equal("2", (await ReadAsync(name)).Metadata.Annotations["deployment.kubernetes.io/revision"]);
        var events = (await Workload.EventsAsync(_client, name)).Select(e => e.Message).ToList();
        Assert.Contains($"Scaled up replica set {second.Metadata.Name} from 0 to 1", events);
        Assert.Contains(events, m => m.StartsWith($"Scaled down replica set {first.Metadata.Name} from 4 to "));

        // kubectl rollout undo: the template goes back; the first ReplicaSet is the new one again, revision 3.
        await SetImageAsync(_client, name, "example/app:1");
        await RollOutAsync(name);
        rss = await Workload.ReplicaSetsAsync(_client, name);
        Assert.Equal(2, rss.Count);
        var back = rss.Single(rs => rs.Metadata.Uid == first.Metadata.Uid);
        Assert.Equal("3", back.Metadata.Annotations["deployment.kubernetes.io/revision"]);
        Assert.Equal("1", back.Metadata.Annotations["deployment.kubernetes.io/revision-history"]);
        Assert.Equal(4, back.Spec.Replicas);
        Assert.All(await Workload.PodsAsync(_client, name), p => Assert.Equal("example/app:1", p.Spec.Containers[0].Image));
    }

    [Fact]
    public async Task Recreate_scales_the_old_replica_set_to_zero_before_the_new_one_gets_pods()
    {
        await using var _ = ControllerManager();
        var name = ApiTestObjects.Unique("web");
        var spec = Workload.Deployment(name, 2);
        spec.Spec.Strategy = new V1DeploymentStrategy { Type = "Recreate" };
        await _client.AppsV1.CreateNamespacedDeploymentAsync(spec, "default");
        await RollOutAsync(name);

        await SetImageAsync(_client, name, "example/app:2");
        await RollOutAsync(name, (_, pods) =>
            Assert.False(pods.Select(p => p.Spec.Containers[0].Image).Distinct().Count() > 1, "old and new pods at once"));
        // Creation timestamps have whole seconds: order by revision.
        var rss = (await Workload.ReplicaSetsAsync(_client, name)).OrderBy(rs => rs.Metadata.Annotations["deployment.kubernetes.io/revision"]);
        Assert.Equal(new int?[] { 0, 2 }, rss.Select(rs => rs.Spec.Replicas));
    }

    [Fact]
    public async Task Scaling_the_deployment_scales_its_replica_set()
    {
        await using var _ = ControllerManager();
        var name = ApiTestObjects.Unique("web");
        await _client.AppsV1.CreateNamespacedDeploymentAsync(Workload.Deployment(name, 2), "default");
        await RollOutAsync(name);

        // kubectl scale writes the scale subresource.
        await _client.AppsV1.PatchNamespacedDeploymentScaleAsync(new V1Patch("""{"spec":{"replicas":5}}""", V1Patch.PatchType.MergePatch), name, "default");
        await RollOutAsync(name);
        var rs = Assert.Single(await Workload.ReplicaSetsAsync(_client, name));
        Assert.Equal(5, rs.Spec.Replicas);
        Assert.Equal("5", rs.Metadata.Annotations["deployment.kubernetes.io/desired-replicas"]);
        Assert.Equal(5, (await Workload.PodsAsync(_client, name)).Count);
        Assert.Contains(await Workload.EventsAsync(_client, name), e => e.Message == $"Scaled up replica set {rs.Metadata.Name} from 2 to 5");

        await _client.AppsV1.PatchNamespacedDeploymentScaleAsync(new V1Patch("""{"spec":{"replicas":1}}""", V1Patch.PatchType.MergePatch), name, "default");
        await Wait.UntilAsync(async () => (await Workload.PodsAsync(_client, name)).Count == 1 && RolledOut(await ReadAsync(name)), Workload.Timeout, "scaled to 1");
    }

    [Fact]
    public async Task A_rollout_without_progress_exceeds_its_deadline()
    {
        await using var _ = ControllerManager();
        var name = ApiTestObjects.Unique("web");
        var spec = Workload.Deployment(name, 1);
        // 20 s at speed 10: two seconds; no pod ever becomes ready.
        spec.Spec.ProgressDeadlineSeconds = 20;
        await _client.AppsV1.CreateNamespacedDeploymentAsync(spec, "default");
        await Wait.UntilAsync(async () => DeploymentConditions(await ReadAsync(name)).Contains(("Progressing", "False", "ProgressDeadlineExceeded")), Workload.Timeout, "ProgressDeadlineExceeded");
        var d = await ReadAsync(name);
        var rs = Assert.Single(await Workload.ReplicaSetsAsync(_client, name));
        Assert.Equal($"ReplicaSet \"{rs.Metadata.Name}\" has timed out progressing.", d.Status.Conditions.Single(c => c.Type == "Progressing").Message);
        Assert.Contains(("Available", "False", "MinimumReplicasUnavailable"), DeploymentConditions(d));
    }

    [Fact]
    public async Task A_new_leader_adopts_the_existing_replica_sets_instead_of_creating_duplicates()
    {
        var name = ApiTestObjects.Unique("web");
        await using (ControllerManager())
        {
            await _client.AppsV1.CreateNamespacedDeploymentAsync(Workload.Deployment(name, 2), "default");
            await RollOutAsync(name);
        }
        var before = await Workload.ReplicaSetsAsync(_client, name);
        var pods = (await Workload.PodsAsync(_client, name)).Select(p => p.Metadata.Name).Order().ToList();
        // Orphaned meanwhile (as with kubectl delete --cascade=orphan and a recreate): adopted, not duplicated.
        await _client.AppsV1.PatchNamespacedReplicaSetAsync(new V1Patch("""{"metadata":{"ownerReferences":null}}""", V1Patch.PatchType.MergePatch), before[0].Metadata.Name, "default");

        await using (ControllerManager())
        {
            await Wait.UntilAsync(async () => (await _client.AppsV1.ReadNamespacedReplicaSetAsync(before[0].Metadata.Name, "default")).Metadata.OwnerReferences?.Count == 1, Workload.Timeout, "adoption");
            await SetImageAsync(_client, name, "example/app:1");
            await Task.Delay(RunningControllers.Timing.Seconds(5));
            Assert.Equal(before.Select(rs => rs.Metadata.Name), (await Workload.ReplicaSetsAsync(_client, name)).Select(rs => rs.Metadata.Name));
            Assert.Equal(pods, (await Workload.PodsAsync(_client, name, activeOnly: false)).Select(p => p.Metadata.Name).Order());
            Assert.True(RolledOut(await ReadAsync(name)));
        }
    }
}
