using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using KubeRescue.Placement;
using KubeRescue.Rendering;
using KubeRescue.Tests.Rendering;

namespace KubeRescue.Tests.Placement;

/// <summary>Placement on a healthy lab, whose kubelets admit pods as real ones do: what it predicts, the lab's kubelet does.</summary>
[Collection(HealthyLab.Collection)]
public class MasterPlacementLabTests(HealthyLab lab)
{
    static readonly ControlPlaneComponent Scheduler = ControlPlaneComponent.Scheduler;
    readonly k8s.Kubernetes _client = lab.Client;

    async Task<V1Pod> DraftAsync() =>
        RescuePodRenderer.Draft(Scheduler, await RescueSources.ResolveAsync(_client, Scheduler, RescueSourceSpec.Default, CancellationToken.None));

    Task<IReadOnlyList<NodeCandidate>> RankAsync(V1Pod pod) => MasterPlacement.RankAsync(_client, Scheduler, pod, CancellationToken.None);

    async Task<HashSet<string>> NodesRunningTheSchedulerAsync() =>
    [
        .. (await _client.CoreV1.ListNamespacedPodAsync("kube-system", labelSelector: "k8s-app=kube-scheduler")).Items
            .Where(p => p.Status?.Phase == "Running" && p.Metadata.DeletionTimestamp is null).Select(p => p.Spec.NodeName),
    ];

    [Fact]
    public async Task Every_master_fits_and_those_without_a_live_replica_come_first()
    {
        var ranked = await RankAsync(await DraftAsync());
        var running = await NodesRunningTheSchedulerAsync();

        Assert.Equal(["master-1", "master-2", "master-3"], ranked.Select(c => c.Name).Order());
        Assert.All(ranked, c => Assert.True(c.Fits, string.Join("; ", c.Reasons)));
        Assert.Equal(ranked.Select(c => running.Contains(c.Name)), ranked.Select(c => c.HasLiveReplica));
        Assert.Equal(ranked.OrderBy(c => c.HasLiveReplica).ThenBy(c => c.Name, StringComparer.Ordinal).Select(c => c.Name), ranked.Select(c => c.Name));
        // Two replicas on three masters leave one free.
        Assert.False(ranked[0].HasLiveReplica);
    }

    [Fact]
    public async Task Requests_no_master_can_hold_fit_none()
    {
        var greedy = await DraftAsync();
        greedy.Spec.Containers[0].Resources = new V1ResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("64") } };
        var ranked = await RankAsync(greedy);
        Assert.Equal(["master-1", "master-2", "master-3"], ranked.Select(c => c.Name));
        Assert.All(ranked, c => Assert.StartsWith("OutOfcpu: Node didn't have enough resource: cpu, requested: 64000, used: ", Assert.Single(c.Reasons)));
    }

    [Fact]
    public async Task A_master_whose_host_port_is_taken_does_not_fit_and_its_kubelet_refuses_the_pod_indeed()
    {
        var draft = await DraftAsync();
        draft.Spec.HostNetwork = true;
        draft.Spec.Containers[0].Ports = [new V1ContainerPort { ContainerPort = 10259 }];
        var target = (await RankAsync(draft))[0].Name;
        var holder = new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "port-holder" },
            Spec = new V1PodSpec
            {
                NodeName = target,
                HostNetwork = true,
                Containers = [new V1Container { Name = "holder", Image = "pause", Ports = [new V1ContainerPort { ContainerPort = 10259 }] }],
            },
        };
        await _client.CoreV1.CreateNamespacedPodAsync(holder, "default");
        try
        {
            var ranked = await RankAsync(draft);
            var blocked = ranked.Single(c => c.Name == target);
            Assert.False(blocked.Fits);
            Assert.Equal($"NodePorts: Predicate NodePorts failed: node(s) didn't have free ports for the requested pod ports (10259/TCP held by default/port-holder)", Assert.Single(blocked.Reasons));
            Assert.NotEqual(target, ranked[0].Name);
            Assert.True(ranked[0].Fits);

            // The prediction holds: pinned there anyway, the pod is rejected by the lab's kubelet, as a real one would.
            var pod = RescuePodRenderer.Render(Scheduler, await RescueSources.ResolveAsync(_client, Scheduler, RescueSourceSpec.Default, CancellationToken.None), blocked.Node);
            pod.Spec.HostNetwork = true;
            pod.Spec.Containers[0].Ports = [new V1ContainerPort { ContainerPort = 10259 }];
            await _client.CoreV1.CreateNamespacedPodAsync(pod, "kube-system");
            try
            {
                await Wait.UntilAsync(async () => (await _client.CoreV1.ReadNamespacedPodAsync(pod.Metadata.Name, "kube-system")).Status is { Phase: "Failed", Reason: "NodePorts" },
                    what: $"the kubelet on {target} rejecting the rescue pod for NodePorts");
            }
            finally
            {
                await _client.CoreV1.DeleteNamespacedPodAsync(pod.Metadata.Name, "kube-system", gracePeriodSeconds: 0);
            }
        }
        finally
        {
            await _client.CoreV1.DeleteNamespacedPodAsync("port-holder", "default", gracePeriodSeconds: 0);
        }
        await Wait.UntilAsync(async () => (await _client.CoreV1.ListPodForAllNamespacesAsync(fieldSelector: $"spec.nodeName={target}")).Items
            .All(p => p.Metadata.Name is not ("port-holder" or "kube-scheduler-rescue")), what: "the test's pods gone");
    }

    [Fact]
    public async Task A_master_whose_kubelet_stopped_goes_NotReady_and_is_ranked_last()
    {
        var draft = await DraftAsync();
        var target = (await RankAsync(draft))[0].Name;
        await SetKubeletAsync(target, "stopped");
        try
        {
            await Wait.UntilAsync(async () => !IsReady(await _client.CoreV1.ReadNodeAsync(target)), TimeSpan.FromSeconds(60), $"{target} NotReady");
            var ranked = await RankAsync(draft);
            var down = ranked[^1];
            Assert.Equal(target, down.Name);
            Assert.False(down.Fits);
            Assert.StartsWith("NotReady: Ready is Unknown", down.Reasons[0]);
            Assert.All(ranked.SkipLast(1), c => Assert.True(c.Fits));
        }
        finally
        {
            await SetKubeletAsync(target, null);
        }
        await Wait.UntilAsync(async () => await _client.CoreV1.ReadNodeAsync(target) is var node && IsReady(node) && node.Spec.Taints?.Any(t => t.Effect == "NoExecute") != true,
            TimeSpan.FromSeconds(60), $"{target} Ready again, untainted");
    }

    static bool IsReady(V1Node node) => node.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true;

    async Task SetKubeletAsync(string node, string? state)
    {
        var patch = new JsonObject { ["metadata"] = new JsonObject { ["annotations"] = new JsonObject { ["kube-rescue.io/kubelet"] = state } } };
        await _client.CoreV1.PatchNodeAsync(new V1Patch(patch.ToJsonString(), V1Patch.PatchType.MergePatch), node);
    }
}
