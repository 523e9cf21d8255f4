using k8s;
using k8s.Models;
using KubeRescue.Lab.Components;
using KubeRescue.Lab.Faults;
using KubeRescue.Lab.Components.Nodes;

namespace KubeRescue.Lab.Tests.Cluster;

/// <summary>The bad-flag and node-crash faults, each on a lab of its own (they break it for good), at five times real speed.</summary>
public class FaultScenarioTests
{
    static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(100);

    static async Task<IList<V1Pod>> Pods(IKubernetes client, string app) =>
        (await client.CoreV1.ListNamespacedPodAsync("kube-system", labelSelector: $"k8s-app={app}")).Items;

    static int Restarts(V1Pod pod) => pod.Status?.ContainerStatuses?.Sum(s => s.RestartCount) ?? 0;

    [Fact]
    public async Task A_bad_flag_rollout_leaves_the_new_revision_crash_looping_and_the_old_one_gone()
    {
        await using var cluster = await LabCluster.StartAsync(new LabClusterOptions { Masters = 3, Workers = 1, Timing = new LabTiming(5) });
        using var client = new k8s.Kubernetes(cluster.Api.ClientConfiguration());
        var progress = new List<string>();
        await BadFlagFault.RunAsync(client, ["kube-controller-manager"], Poll, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(60), progress.Add, CancellationToken.None, cluster.Options.Clock);

        var deployment = await client.AppsV1.ReadNamespacedDeploymentAsync("kube-controller-manager", "kube-system");
        Assert.Contains(BadFlagFault.Flag, deployment.Spec.Template.Spec.Containers[0].Command);
        Assert.Equal(BadFlagFault.ChangeCause, deployment.Metadata.Annotations["kubernetes.io/change-cause"]);
        var sets = (await client.AppsV1.ListNamespacedReplicaSetAsync("kube-system", labelSelector: "k8s-app=kube-controller-manager")).Items;
        var good = sets.Single(rs => rs.Metadata.Annotations["deployment.kubernetes.io/revision"] == "1");
        var bad = sets.Single(rs => rs.Metadata.Annotations["deployment.kubernetes.io/revision"] == "2");
        Assert.DoesNotContain(BadFlagFault.Flag, good.Spec.Template.Spec.Containers[0].Command);

        // No pod of the last good revision is left, and nothing recreates one. The bad revision's pods (one or two,
        // depending on how far the rollout got before the controller-manager went) crash-loop, restarts growing.
        var pods = await Pods(client, "kube-controller-manager");
        Assert.NotEmpty(pods);
        Assert.All(pods, p => Assert.Equal(bad.Metadata.Labels["pod-template-hash"], p.Metadata.Labels["pod-template-hash"]));
        await Wait.UntilAsync(async () => (await Pods(client, "kube-controller-manager")).All(pod =>
        {
            var status = pod.Status.ContainerStatuses.Single();
            return pod.Status.Phase == "Running" && status.RestartCount >= 2 && status.State.Waiting?.Reason == "CrashLoopBackOff"
                && status.LastState.Terminated is { ExitCode: 1, Reason: "Error" };
        }), TimeSpan.FromSeconds(60), "the bad revision's pods in CrashLoopBackOff, restarted twice");
        Assert.Equal(pods.Select(p => p.Metadata.Name).Order(), (await Pods(client, "kube-controller-manager")).Select(p => p.Metadata.Name).Order());
        // As on a real cluster, the Deployment's status is stale: the controller that would update it is the one gone.
        Assert.NotEqual(0, (await client.AppsV1.ReadNamespacedDeploymentAsync("kube-controller-manager", "kube-system")).Status.AvailableReplicas ?? 0);
    }

    [Fact]
    public async Task A_node_crash_breaks_the_instance_on_that_node_only_until_the_node_is_mended()
    {
        await using var cluster = await LabCluster.StartAsync(new LabClusterOptions { Masters = 3, Workers = 1, Timing = new LabTiming(5) });
        using var client = new k8s.Kubernetes(cluster.Api.ClientConfiguration());
        var victim = (await Pods(client, "kube-scheduler")).First();
        var node = victim.Spec.NodeName;

        var crashed = await NodeCrashFault.RunAsync(client, node, ["kube-scheduler"], Poll, TimeSpan.FromSeconds(60), _ => { }, CancellationToken.None, cluster.Options.Clock);
        Assert.Equal(victim.Metadata.Name, Assert.Single(crashed).Metadata.Name);
        Assert.Equal("kube-scheduler", (await client.CoreV1.ReadNodeAsync(node)).Metadata.Annotations[KubeletFleet.CrashAnnotation]);
        await Wait.UntilAsync(async () =>
        {
            var pods = await Pods(client, "kube-scheduler");
            var there = pods.Single(p => p.Metadata.Name == victim.Metadata.Name);
            var elsewhere = pods.Single(p => p.Metadata.Name != victim.Metadata.Name);
            var lease = await client.CoordinationV1.ReadNamespacedLeaseAsync("kube-scheduler", "kube-system");
            return Restarts(there) >= 2 && there.Status.ContainerStatuses[0].Ready == false
                && elsewhere.Status.ContainerStatuses[0].Ready == true && Restarts(elsewhere) == 0
                && lease.Spec.HolderIdentity?.StartsWith(elsewhere.Metadata.Name + "_", StringComparison.Ordinal) == true;
        }, TimeSpan.FromSeconds(60), $"the scheduler crash-looping on {node}, the other one leading");

        // The other master's scheduler still schedules.
        await client.CoreV1.CreateNamespacedPodAsync(new V1Pod
        {
            Metadata = new() { Name = "needs-a-scheduler" },
            Spec = new V1PodSpec { Containers = [new() { Name = "app", Image = "nginx:1" }] },
        }, "default");
        await Wait.UntilAsync(async () => !string.IsNullOrEmpty((await client.CoreV1.ReadNamespacedPodAsync("needs-a-scheduler", "default")).Spec.NodeName),
            TimeSpan.FromSeconds(30), "a pod scheduled by the healthy scheduler");

        // Mended: the next restart after the back-off stays up.
        var mend = new System.Text.Json.Nodes.JsonObject { ["metadata"] = new System.Text.Json.Nodes.JsonObject { ["annotations"] = new System.Text.Json.Nodes.JsonObject { [KubeletFleet.CrashAnnotation] = null } } };
        await client.CoreV1.PatchNodeAsync(new V1Patch(mend.ToJsonString(), V1Patch.PatchType.MergePatch), node);
        await Wait.UntilAsync(async () =>
        {
            var pod = await client.CoreV1.ReadNamespacedPodAsync(victim.Metadata.Name, "kube-system");
            return pod.Status.ContainerStatuses[0] is { Ready: true, State.Running: not null };
        }, TimeSpan.FromSeconds(90), $"the scheduler on {node} running again");
    }
}
