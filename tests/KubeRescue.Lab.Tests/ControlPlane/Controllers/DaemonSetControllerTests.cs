using k8s;
using k8s.Models;
using KubeRescue.Lab.Components.ControllerManager;

namespace KubeRescue.Lab.Tests.ControlPlane.Controllers;

public sealed class DaemonSetControllerTests
{
    const string Ns = "kube-system";
    static readonly string[] DefaultTolerationKeys =
    [
        "node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable", "node.kubernetes.io/disk-pressure",
        "node.kubernetes.io/memory-pressure", "node.kubernetes.io/pid-pressure", "node.kubernetes.io/unschedulable",
    ];

    static V1DaemonSet DaemonSet(string name, Action<V1PodSpec>? shape = null)
    {
        var labels = new Dictionary<string, string> { ["k8s-app"] = name };
        var template = ControllerHarness.Template(labels);
        shape?.Invoke(template.Spec);
        return new V1DaemonSet
        {
            Metadata = new V1ObjectMeta { Name = name },
            Spec = new V1DaemonSetSpec { Selector = new V1LabelSelector { MatchLabels = labels }, Template = template },
        };
    }

    static async Task AddClusterAsync(ControllerHarness lab)
    {
        await lab.AddNodeAsync("master-0", new Dictionary<string, string> { ["node-role.kubernetes.io/master"] = "" },
            [new V1Taint { Key = "node-role.kubernetes.io/master", Effect = "NoSchedule" }]);
        await lab.AddNodeAsync("worker-0");
        await lab.AddNodeAsync("worker-1");
    }

    static async Task<List<V1Pod>> PodsOfAsync(ControllerHarness lab, string app) =>
        [.. (await lab.Client.CoreV1.ListNamespacedPodAsync(Ns, labelSelector: $"k8s-app={app}")).Items];

    static string PinnedNode(V1Pod pod)
    {
        var term = Assert.Single(pod.Spec.Affinity.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms);
        Assert.Null(term.MatchExpressions);
        var field = Assert.Single(term.MatchFields);
        Assert.Equal(("metadata.name", "In"), (field.Key, field.OperatorProperty));
        return Assert.Single(field.Values);
    }

    [Fact]
    public async Task One_unbound_pod_per_eligible_node_pinned_by_affinity_and_tainted_masters_skipped()
    {
        await using var lab = await ControllerHarness.StartAsync(10, new DaemonSetController());
        await AddClusterAsync(lab);
        var ds = await lab.Client.AppsV1.CreateNamespacedDaemonSetAsync(DaemonSet("kube-proxy", s => s.HostNetwork = true), Ns);

        await Wait.UntilAsync(async () => (await PodsOfAsync(lab, "kube-proxy")).Count == 2, what: "two kube-proxy pods");
        var pods = await PodsOfAsync(lab, "kube-proxy");
        Assert.Equal(["worker-0", "worker-1"], pods.Select(PinnedNode).Order());
        foreach (var pod in pods)
        {
            Assert.StartsWith("kube-proxy-", pod.Metadata.Name);
            Assert.Equal("kube-proxy-", pod.Metadata.GenerateName);
            Assert.Null(pod.Spec.NodeName); // the scheduler binds it
            var owner = Assert.Single(pod.Metadata.OwnerReferences);
            Assert.Equal(("DaemonSet", "kube-proxy", ds.Metadata.Uid, true, true), (owner.Kind, owner.Name, owner.Uid, owner.Controller, owner.BlockOwnerDeletion));
            Assert.False(string.IsNullOrEmpty(pod.Metadata.Labels[DaemonSetController.RevisionHashLabel]));
            Assert.Equal("1", pod.Metadata.Labels[DaemonSetController.TemplateGenerationLabel]);
            foreach (var key in DefaultTolerationKeys.Append("node.kubernetes.io/network-unavailable"))
                Assert.Contains(pod.Spec.Tolerations, t => t.Key == key && t.OperatorProperty == "Exists" && t.TolerationSeconds is null);
            Assert.Contains(pod.Spec.Tolerations, t => t is { Key: "node.kubernetes.io/unreachable", Effect: "NoExecute" });
        }
        await Wait.UntilAsync(async () =>
        {
            var status = (await lab.Client.AppsV1.ReadNamespacedDaemonSetAsync("kube-proxy", Ns)).Status;
            return status is { DesiredNumberScheduled: 2, CurrentNumberScheduled: 2, NumberReady: 0, NumberUnavailable: 2, ObservedGeneration: 1 };
        }, what: "status counts two scheduled, none ready");

        // The test plays scheduler and kubelet: bind one pod and report it ready.
        var first = pods[0];
        await lab.Client.CoreV1.CreateNamespacedPodBindingAsync(new V1Binding
        {
            Metadata = new V1ObjectMeta { Name = first.Metadata.Name },
            Target = new V1ObjectReference { Kind = "Node", Name = PinnedNode(first) },
        }, first.Metadata.Name, Ns);
        var bound = await lab.Client.CoreV1.ReadNamespacedPodAsync(first.Metadata.Name, Ns);
        bound.Status.Phase = "Running";
        bound.Status.Conditions = [new V1PodCondition { Type = "Ready", Status = "True", LastTransitionTime = DateTime.UtcNow }];
        await lab.Client.CoreV1.ReplaceNamespacedPodStatusAsync(bound, bound.Metadata.Name, Ns);
        await Wait.UntilAsync(async () =>
        {
            var status = (await lab.Client.AppsV1.ReadNamespacedDaemonSetAsync("kube-proxy", Ns)).Status;
            return status is { NumberReady: 1, NumberAvailable: 1, NumberUnavailable: 1, UpdatedNumberScheduled: 2 };
        }, what: "one ready and available");
    }

    [Fact]
    public async Task Master_daemon_set_tolerating_the_taint_runs_on_masters_only()
    {
        await using var lab = await ControllerHarness.StartAsync(10, new DaemonSetController());
        await AddClusterAsync(lab);
        await lab.Client.AppsV1.CreateNamespacedDaemonSetAsync(DaemonSet("kube-apiserver", s =>
        {
            s.NodeSelector = new Dictionary<string, string> { ["node-role.kubernetes.io/master"] = "" };
            s.Tolerations = [new V1Toleration { Key = "node-role.kubernetes.io/master", OperatorProperty = "Exists", Effect = "NoSchedule" }];
        }), Ns);
        await Wait.UntilAsync(async () => (await PodsOfAsync(lab, "kube-apiserver")).Count == 1, what: "one apiserver pod");
        Assert.Equal("master-0", PinnedNode(Assert.Single(await PodsOfAsync(lab, "kube-apiserver"))));

        // A second master joins: it gets its pod too.
        await lab.AddNodeAsync("master-1", new Dictionary<string, string> { ["node-role.kubernetes.io/master"] = "" },
            [new V1Taint { Key = "node-role.kubernetes.io/master", Effect = "NoSchedule" }]);
        await Wait.UntilAsync(async () => (await PodsOfAsync(lab, "kube-apiserver")).Count == 2, what: "a pod for the new master");
        await Wait.UntilAsync(async () => (await lab.Client.AppsV1.ReadNamespacedDaemonSetAsync("kube-apiserver", Ns)).Status?.DesiredNumberScheduled == 2);
        // Nothing was created twice while the informer caught up.
        await Task.Delay(300);
        Assert.Equal(2, (await PodsOfAsync(lab, "kube-apiserver")).Count);
    }

    [Fact]
    public async Task Rolling_update_replaces_old_pods_within_max_unavailable()
    {
        await using var lab = await ControllerHarness.StartAsync(10, new DaemonSetController());
        await lab.AddNodeAsync("worker-0");
        await lab.AddNodeAsync("worker-1");
        await lab.Client.AppsV1.CreateNamespacedDaemonSetAsync(DaemonSet("agent"), Ns);
        await Wait.UntilAsync(async () => (await PodsOfAsync(lab, "agent")).Count == 2, what: "two agent pods");
        var original = (await PodsOfAsync(lab, "agent")).Select(p => p.Metadata.Uid).ToHashSet();

        // As kubectl set image does it: a patch, which the controller's status writes cannot conflict with.
        await lab.Client.AppsV1.PatchNamespacedDaemonSetAsync(new V1Patch(
            """{"spec":{"template":{"spec":{"containers":[{"name":"main","image":"registry.k8s.io/pause:3.11"}]}}}}""",
            V1Patch.PatchType.StrategicMergePatch), "agent", Ns);

        // The old pods are unavailable (nobody runs them), so both are replaced at once; the new ones carry the new hash.
        await Wait.UntilAsync(async () =>
        {
            var pods = await PodsOfAsync(lab, "agent");
            return pods.Count == 2 && pods.All(p => !original.Contains(p.Metadata.Uid) && p.Spec.Containers[0].Image.EndsWith(":3.11") && p.Metadata.Labels[DaemonSetController.TemplateGenerationLabel] == "2");
        }, what: "pods of the new template");
    }
}
