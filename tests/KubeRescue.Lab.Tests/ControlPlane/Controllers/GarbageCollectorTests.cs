using k8s;
using k8s.Models;
using KubeRescue.Lab.Components.ControllerManager;

namespace KubeRescue.Lab.Tests.ControlPlane.Controllers;

public sealed class GarbageCollectorTests
{
    const string Ns = "default";

    static async Task<(V1ReplicaSet Rs, List<V1Pod> Pods)> ReplicaSetWithPodsAsync(ControllerHarness lab, string name, int pods)
    {
        var labels = new Dictionary<string, string> { ["app"] = name };
        var rs = await lab.Client.AppsV1.CreateNamespacedReplicaSetAsync(new V1ReplicaSet
        {
            Metadata = new V1ObjectMeta { Name = name },
            Spec = new V1ReplicaSetSpec { Replicas = pods, Selector = new V1LabelSelector { MatchLabels = labels }, Template = ControllerHarness.Template(labels) },
        }, Ns);
        var created = new List<V1Pod>();
        for (var i = 0; i < pods; i++)
            created.Add(await lab.Client.CoreV1.CreateNamespacedPodAsync(new V1Pod
            {
                Metadata = new V1ObjectMeta
                {
                    GenerateName = name + "-", Labels = labels,
                    OwnerReferences = [new V1OwnerReference { ApiVersion = "apps/v1", Kind = "ReplicaSet", Name = name, Uid = rs.Metadata.Uid, Controller = true, BlockOwnerDeletion = true }],
                },
                Spec = ControllerHarness.Template(labels).Spec,
            }, Ns));
        return (rs, created);
    }

    static async Task<bool> AllGoneAsync(ControllerHarness lab, IEnumerable<V1Pod> pods)
    {
        foreach (var pod in pods)
            if (!await lab.IsGoneAsync(() => lab.Client.CoreV1.ReadNamespacedPodAsync(pod.Metadata.Name, Ns))) return false;
        return true;
    }

    [Fact]
    public async Task Pods_of_a_deleted_replica_set_are_collected_in_the_background()
    {
        await using var lab = await ControllerHarness.StartAsync(10, new GarbageCollector());
        var (_, pods) = await ReplicaSetWithPodsAsync(lab, "web", 3);
        var (_, keep) = await ReplicaSetWithPodsAsync(lab, "api", 1);
        var configMap = await lab.Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap
        {
            Metadata = new V1ObjectMeta
            {
                Name = "web-config",
                OwnerReferences = [new V1OwnerReference { ApiVersion = "apps/v1", Kind = "ReplicaSet", Name = "web", Uid = pods[0].Metadata.OwnerReferences[0].Uid }],
            },
        }, Ns);

        await lab.Client.AppsV1.DeleteNamespacedReplicaSetAsync("web", Ns, body: new V1DeleteOptions { PropagationPolicy = "Background" });

        await Wait.UntilAsync(() => AllGoneAsync(lab, pods), what: "the replica set's pods collected");
        await Wait.UntilAsync(() => lab.IsGoneAsync(() => lab.Client.CoreV1.ReadNamespacedConfigMapAsync(configMap.Metadata.Name, Ns)), what: "the owned config map collected");
        Assert.False(await AllGoneAsync(lab, keep));
    }

    [Fact]
    public async Task Foreground_deletion_removes_dependents_before_the_owner()
    {
        await using var lab = await ControllerHarness.StartAsync(10, new GarbageCollector());
        var (_, pods) = await ReplicaSetWithPodsAsync(lab, "web", 2);
        // A dependent held by a finalizer of its own keeps the owner waiting, so the test sees the owner held
        // however fast the collector is.
        var hold = new V1Patch("""{"metadata":{"finalizers":["example.com/hold"]}}""", V1Patch.PatchType.MergePatch);
        await lab.Client.CoreV1.PatchNamespacedPodAsync(hold, pods[0].Metadata.Name, Ns);

        await lab.Client.AppsV1.DeleteNamespacedReplicaSetAsync("web", Ns, body: new V1DeleteOptions { PropagationPolicy = "Foreground" });
        await Wait.UntilAsync(async () => (await lab.Client.CoreV1.ReadNamespacedPodAsync(pods[0].Metadata.Name, Ns)).Metadata.DeletionTimestamp is not null,
            what: "the held dependent being deleted");
        var held = await lab.Client.AppsV1.ReadNamespacedReplicaSetAsync("web", Ns);
        Assert.Contains("foregroundDeletion", held.Metadata.Finalizers);
        Assert.NotNull(held.Metadata.DeletionTimestamp);

        await lab.Client.CoreV1.PatchNamespacedPodAsync(new V1Patch("""{"metadata":{"finalizers":null}}""", V1Patch.PatchType.MergePatch), pods[0].Metadata.Name, Ns);
        await Wait.UntilAsync(() => lab.IsGoneAsync(() => lab.Client.AppsV1.ReadNamespacedReplicaSetAsync("web", Ns)), what: "the owner gone");
        Assert.True(await AllGoneAsync(lab, pods));
    }

    [Fact]
    public async Task Orphan_deletion_keeps_dependents_without_the_reference()
    {
        await using var lab = await ControllerHarness.StartAsync(10, new GarbageCollector());
        var (_, pods) = await ReplicaSetWithPodsAsync(lab, "web", 2);

        await lab.Client.AppsV1.DeleteNamespacedReplicaSetAsync("web", Ns, body: new V1DeleteOptions { PropagationPolicy = "Orphan" });

        await Wait.UntilAsync(() => lab.IsGoneAsync(() => lab.Client.AppsV1.ReadNamespacedReplicaSetAsync("web", Ns)), what: "the owner gone");
        foreach (var pod in pods)
        {
            var orphan = await lab.Client.CoreV1.ReadNamespacedPodAsync(pod.Metadata.Name, Ns);
            Assert.True(orphan.Metadata.OwnerReferences is null or { Count: 0 });
        }
    }

    [Fact]
    public async Task Events_are_ignored_as_upstream_ignores_them()
    {
        await using var lab = await ControllerHarness.StartAsync(10, new GarbageCollector());
        var (rs, pods) = await ReplicaSetWithPodsAsync(lab, "web", 1);
        V1OwnerReference Owner() => new() { ApiVersion = "apps/v1", Kind = "ReplicaSet", Name = "web", Uid = rs.Metadata.Uid };
        var owned = await lab.Client.CoreV1.CreateNamespacedEventAsync(new Corev1Event
        {
            Metadata = new V1ObjectMeta { Name = "web.owned", OwnerReferences = [Owner()] },
            InvolvedObject = new V1ObjectReference { Kind = "ReplicaSet", Name = "web", NamespaceProperty = Ns, Uid = rs.Metadata.Uid },
            Reason = "Test", Message = "an event that names an owner", Type = "Normal",
        }, Ns);

        await lab.Client.AppsV1.DeleteNamespacedReplicaSetAsync("web", Ns, body: new V1DeleteOptions { PropagationPolicy = "Background" });
        await Wait.UntilAsync(() => AllGoneAsync(lab, pods), what: "the replica set's pod collected");
        // A dependent that names the owner only after it is gone is collected too; by then the event, known to the
        // collector from before the deletion, would have been.
        var late = await lab.Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap
        {
            Metadata = new V1ObjectMeta { Name = "late", OwnerReferences = [Owner()] },
        }, Ns);
        await Wait.UntilAsync(() => lab.IsGoneAsync(() => lab.Client.CoreV1.ReadNamespacedConfigMapAsync(late.Metadata.Name, Ns)), what: "the late dependent collected");

        Assert.Equal(owned.Metadata.Uid, (await lab.Client.CoreV1.ReadNamespacedEventAsync(owned.Metadata.Name, Ns)).Metadata.Uid);
    }
}
