using k8s;
using KubeRescue.Lab.Faults;
using KubeRescue.Recovery;

namespace KubeRescue.Tests.Recovery;

/// <summary>The whole procedure against the lab: each fault of the field guide, recovered and proven.</summary>
public class RecoveryTests
{
    static readonly TimeSpan Settle = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task A_lost_scheduler_is_recovered_and_the_rescue_pod_removed()
    {
        await using var lab = await RecoveryScenario.StartAsync();
        await DeletePodsFault.RunAsync(lab.Client, ["kube-scheduler"], RecoveryScenario.Poll, Settle, _ => { }, CancellationToken.None);

        var result = await lab.RecoverAsync(lab.Options(ControlPlaneComponent.Scheduler));
        Assert.True(result.Succeeded, result.Failure + "\n" + lab.Story);
        Assert.Equal(["ensure-rescue-pod", "await-replacement", "remove-rescue-pod", "await-leader", "verify"], result.Steps.Select(s => s.Step));
        await lab.AssertHealthyAsync(ControlPlaneComponent.Scheduler);
        var events = await lab.RescueEventsAsync("kube-scheduler");
        Assert.Equal([RescueEvents.Started, RescueEvents.Completed], events.OrderBy(e => e.FirstTimestamp).Select(e => e.Reason));
    }

    [Fact]
    public async Task A_lost_controller_manager_is_recovered_and_its_stale_lease_cleared()
    {
        await using var lab = await RecoveryScenario.StartAsync();
        await DeletePodsFault.RunAsync(lab.Client, ["kube-controller-manager"], RecoveryScenario.Poll, Settle, _ => { }, CancellationToken.None);

        var result = await lab.RecoverAsync(lab.Options(ControlPlaneComponent.ControllerManager));
        Assert.True(result.Succeeded, result.Failure + "\n" + lab.Story);
        await lab.AssertHealthyAsync(ControlPlaneComponent.ControllerManager);
        // kube-controller-manager does not release its lease. The deleted leader's was released before the rescue pod
        // started, expired or not (a new candidate waits a whole duration from its first sight of a named holder), and
        // the rescue pod's once it was gone, so that neither the rescue pod nor its successors waited out a lease duration.
        Assert.Contains(lab.Events, e => e.Step == "ensure-rescue-pod" && e.Message.StartsWith("released Lease kube-system/kube-controller-manager: its holder kube-controller-manager-", StringComparison.Ordinal)
            && !e.Message.Contains("-rescue_", StringComparison.Ordinal));
        Assert.Contains(lab.Events, e => e.Step == "await-leader" && e.Message.StartsWith("released Lease kube-system/kube-controller-manager: its holder kube-controller-manager-rescue_", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Both_lost_are_recovered_together_scheduler_handed_over_first()
    {
        await using var lab = await RecoveryScenario.StartAsync();
        await DeletePodsFault.RunAsync(lab.Client, ["kube-scheduler", "kube-controller-manager"], RecoveryScenario.Poll, Settle, _ => { }, CancellationToken.None);

        // Asking for the scheduler alone is refused before anything changes: a rescue scheduler creates no pods.
        var refused = await Assert.ThrowsAsync<RecoveryRefusedException>(() => RecoveryPlanner.PlanAsync(lab.Client, lab.Options(ControlPlaneComponent.Scheduler), CancellationToken.None));
        Assert.Contains("kube-rescue recover all", refused.Message);

        var result = await lab.RecoverAsync(lab.Options());
        Assert.True(result.Succeeded, result.Failure + "\n" + lab.Story);
        Assert.Equal([
            ("ensure-rescue-pod", "kube-scheduler"), ("ensure-rescue-pod", "kube-controller-manager"),
            ("await-replacement", "kube-scheduler"), ("await-replacement", "kube-controller-manager"),
            ("remove-rescue-pod", "kube-scheduler"), ("await-leader", "kube-scheduler"),
            ("remove-rescue-pod", "kube-controller-manager"), ("await-leader", "kube-controller-manager"), ("verify", null)],
            result.Steps.Select(s => (s.Step, s.Component)));
        // The rescue pods start side by side: the controller-manager's is created before the scheduler's has proved
        // itself (a --min-ready window later), and each step's events name their own step.
        var created = Assert.Single(lab.Events, e => e.Step == "ensure-rescue-pod" && e.Component == "kube-controller-manager" && e.Message.StartsWith("created kube-controller-manager-rescue", StringComparison.Ordinal));
        var proved = Assert.Single(lab.Events, e => e.Kind == RecoveryEventKind.Finished && e.Step == "ensure-rescue-pod" && e.Component == "kube-scheduler");
        Assert.True(created.Elapsed < proved.Elapsed, lab.Story);
        Assert.DoesNotContain(lab.Events, e => e.Component == "kube-scheduler" && e.Message.Contains("kube-controller-manager-rescue", StringComparison.Ordinal));
        await lab.AssertHealthyAsync(ControlPlaneComponent.Scheduler);
        await lab.AssertHealthyAsync(ControlPlaneComponent.ControllerManager);
    }

    [Fact]
    public async Task A_healthy_control_plane_is_refused_and_nothing_is_created()
    {
        await using var lab = await RecoveryScenario.StartAsync(masters: 1);
        var refused = await Assert.ThrowsAsync<RecoveryRefusedException>(() => RecoveryPlanner.PlanAsync(lab.Client, lab.Options(), CancellationToken.None));
        Assert.Contains("nothing to recover", refused.Message);
        Assert.Empty((await lab.Client.CoreV1.ListNamespacedPodAsync("kube-system", labelSelector: RescueMetadata.ComponentLabel)).Items);

        // With --force past the health check: no node carries a master label, and the refusal says so.
        var unlabel = new System.Text.Json.Nodes.JsonObject { ["metadata"] = new System.Text.Json.Nodes.JsonObject { ["labels"] = new System.Text.Json.Nodes.JsonObject { ["node-role.kubernetes.io/master"] = null } } };
        await lab.Client.CoreV1.PatchNodeAsync(new k8s.Models.V1Patch(unlabel.ToJsonString(), k8s.Models.V1Patch.PatchType.MergePatch), "master-1");
        var noMasters = await Assert.ThrowsAsync<RecoveryRefusedException>(() =>
            RecoveryPlanner.PlanAsync(lab.Client, lab.Options(ControlPlaneComponent.Scheduler) with { Force = true }, CancellationToken.None));
        Assert.StartsWith("the cluster has no masters: no node is labelled node-role.kubernetes.io/master or node-role.kubernetes.io/control-plane", noMasters.Message, StringComparison.Ordinal);
        Assert.Empty((await lab.Client.CoreV1.ListNamespacedPodAsync("kube-system", labelSelector: RescueMetadata.ComponentLabel)).Items);

        // A pod of the rescue pod's name that kube-rescue did not make is never taken over, even with --force.
        await lab.Client.CoreV1.CreateNamespacedPodAsync(new k8s.Models.V1Pod
        {
            Metadata = new() { Name = "kube-scheduler-rescue" },
            Spec = new k8s.Models.V1PodSpec { NodeName = "master-1", Containers = [new() { Name = "c", Image = "busybox" }] },
        }, "kube-system");
        var foreign = await Assert.ThrowsAsync<RecoveryRefusedException>(() =>
            RecoveryPlanner.PlanAsync(lab.Client, lab.Options(ControlPlaneComponent.Scheduler) with { Force = true }, CancellationToken.None));
        Assert.Contains("kube-rescue did not create it", foreign.Message);
    }
}
