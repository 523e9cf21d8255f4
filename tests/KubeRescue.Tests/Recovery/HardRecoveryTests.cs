using k8s;
using k8s.Models;
using KubeRescue.Lab.Faults;
using KubeRescue.Recovery;
using KubeRescue.Rendering;

namespace KubeRescue.Tests.Recovery;

/// <summary>Recoveries where the obvious way fails: a bad template, a node that crashes the component, an interrupted run.</summary>
public class HardRecoveryTests
{
    static readonly TimeSpan Settle = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task A_bad_flag_is_recovered_from_the_last_good_revision_and_rolled_back_on_request()
    {
        await using var lab = await RecoveryScenario.StartAsync();
        await BadFlagFault.RunAsync(lab.Client, ["kube-controller-manager"], RecoveryScenario.Poll, Settle, TimeSpan.FromSeconds(60), _ => { }, CancellationToken.None);
        var options = lab.Options(ControlPlaneComponent.ControllerManager) with { Source = RescueSourceSpec.Parse("last-good") };

        // From the last good revision, without --rollback: the good revision's pods come back and lead; the
        // Deployment keeps its bad template, and says so, and so does the plan.
        var plan = await RecoveryPlanner.PlanAsync(lab.Client, options, CancellationToken.None);
        Assert.Contains(plan.Notes, n => n.Contains("Add --rollback", StringComparison.Ordinal));
        var result = await lab.RecoverAsync(options);
        Assert.True(result.Succeeded, result.Failure + "\n" + lab.Story);
        Assert.DoesNotContain(result.Steps, s => s.Step == "roll-back");
        var deployment = await lab.Client.AppsV1.ReadNamespacedDeploymentAsync("kube-controller-manager", "kube-system");
        Assert.Contains(BadFlagFault.Flag, deployment.Spec.Template.Spec.Containers[0].Command);
        var lease = await lab.Client.CoordinationV1.ReadNamespacedLeaseAsync("kube-controller-manager", "kube-system");
        var leader = (await lab.PodsAsync("kube-controller-manager")).Single(p => lease.Spec.HolderIdentity.StartsWith(p.Metadata.Name + "_", StringComparison.Ordinal));
        Assert.DoesNotContain(BadFlagFault.Flag, leader.Spec.Containers[0].Command);
        var status = await KubeRescue.Diagnosis.ControlPlaneDiagnoser.DiagnoseAsync(lab.Client, ControlPlaneComponent.ControllerManager, CancellationToken.None);
        Assert.NotEqual(KubeRescue.Diagnosis.Verdict.Healthy, status.Verdict);

        // --rollback then fixes the template itself, and the component ends healthy.
        result = await lab.RecoverAsync(options with { Rollback = true });
        Assert.True(result.Succeeded, result.Failure + "\n" + lab.Story);
        Assert.Contains(result.Steps, s => s.Step == "roll-back");
        deployment = await lab.Client.AppsV1.ReadNamespacedDeploymentAsync("kube-controller-manager", "kube-system");
        Assert.DoesNotContain(BadFlagFault.Flag, deployment.Spec.Template.Spec.Containers[0].Command);
        Assert.StartsWith("kube-rescue recover --rollback", deployment.Metadata.Annotations["kubernetes.io/change-cause"], StringComparison.Ordinal);
        await Wait.UntilAsync(async () => (await KubeRescue.Diagnosis.ControlPlaneDiagnoser.DiagnoseAsync(lab.Client, ControlPlaneComponent.ControllerManager, CancellationToken.None)).Verdict
            == KubeRescue.Diagnosis.Verdict.Healthy, TimeSpan.FromSeconds(60), "kube-controller-manager healthy after the rollback");
        await lab.AssertHealthyAsync(ControlPlaneComponent.ControllerManager);
    }

    [Fact]
    public async Task A_master_that_crashes_the_rescue_pod_is_left_for_the_next_one()
    {
        await using var lab = await RecoveryScenario.StartAsync();
        // The scheduler crashes on master-1, the first choice once no scheduler runs anywhere.
        await NodeCrashFault.RunAsync(lab.Client, "master-1", ["kube-scheduler"], RecoveryScenario.Poll, TimeSpan.FromSeconds(60), _ => { }, CancellationToken.None);
        await DeletePodsFault.RunAsync(lab.Client, ["kube-scheduler"], RecoveryScenario.Poll, Settle, _ => { }, CancellationToken.None);

        var options = lab.Options(ControlPlaneComponent.Scheduler);
        var plan = await RecoveryPlanner.PlanAsync(lab.Client, options, CancellationToken.None);
        Assert.Equal(["master-1", "master-2", "master-3"], plan.Components[0].Candidates.Select(c => c.Node.Metadata.Name));
        var step = new EnsureRescuePodStep(plan.Components[0]);
        var run = new RecoveryRun(lab.Client, options, e => { lock (lab.Events) lab.Events.Add(e); }) { Current = step };
        Assert.Equal("kube-scheduler-rescue runs on master-2", await step.RunAsync(run, CancellationToken.None));
        var warning = Assert.Single(lab.Events, e => e.Kind == RecoveryEventKind.Warning);
        // Seen either as it exits or once the kubelet restarted it.
        Assert.Matches("^kube-scheduler-rescue on master-1: container kube-scheduler (crashes|exited with code 1)", warning.Message);
        var rescue = Assert.Single((await lab.Client.CoreV1.ListNamespacedPodAsync("kube-system", labelSelector: RescueMetadata.ComponentLabel)).Items);
        Assert.Equal("master-2", rescue.Spec.NodeName);
    }

    [Fact]
    public async Task A_master_whose_kubelet_rejects_the_rescue_pod_is_left_for_the_next_one()
    {
        await using var lab = await RecoveryScenario.StartAsync();
        await DeletePodsFault.RunAsync(lab.Client, ["kube-scheduler"], RecoveryScenario.Poll, Settle, _ => { }, CancellationToken.None);
        var options = lab.Options(ControlPlaneComponent.Scheduler);
        var plan = await RecoveryPlanner.PlanAsync(lab.Client, options, CancellationToken.None);
        var first = plan.Components[0].Candidates[0].Node.Metadata.Name;

        // Between the plan and the pod, the first master gets a NoExecute taint the pod does not tolerate: its kubelet
        // rejects the pod (terminal, field guide §2), and the recovery moves on rather than waiting for it.
        var node = await lab.Client.CoreV1.ReadNodeAsync(first);
        node.Spec.Taints = [.. node.Spec.Taints ?? [], new V1Taint { Key = "example.com/maintenance", Value = "true", Effect = "NoExecute" }];
        await lab.Client.CoreV1.ReplaceNodeAsync(node, first);

        var result = await RecoveryRunner.RunAsync(lab.Client, plan, options, e => { lock (lab.Events) lab.Events.Add(e); }, CancellationToken.None);
        Assert.True(result.Succeeded, result.Failure + "\n" + lab.Story);
        var warning = Assert.Single(lab.Events, e => e.Kind == RecoveryEventKind.Warning && e.Step == "ensure-rescue-pod");
        // Two real reactions race: the kubelet rejects the pod, or the taint manager evicts it first (seen terminating or
        // already gone); either way it goes.
        Assert.Matches($"^kube-scheduler-rescue on {first}: (the kubelet rejected it: TaintToleration: Pod was rejected:|it is being deleted by someone else|it was deleted by someone else)", warning.Message);
        Assert.DoesNotContain(first, result.Steps[0].Outcome);
        await lab.AssertHealthyAsync(ControlPlaneComponent.Scheduler);
    }

    [Fact]
    public async Task An_interrupted_run_removes_its_rescue_pod_and_a_left_one_is_adopted()
    {
        await using var lab = await RecoveryScenario.StartAsync();
        await DeletePodsFault.RunAsync(lab.Client, ["kube-scheduler"], RecoveryScenario.Poll, Settle, _ => { }, CancellationToken.None);
        var options = lab.Options(ControlPlaneComponent.Scheduler);

        // Ctrl-C right after the rescue pod was created: it is removed again.
        using var interrupt = new CancellationTokenSource();
        var plan = await RecoveryPlanner.PlanAsync(lab.Client, options, CancellationToken.None);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => RecoveryRunner.RunAsync(lab.Client, plan, options, e =>
        {
            if (e.Message.StartsWith("created kube-scheduler-rescue", StringComparison.Ordinal)) interrupt.Cancel();
        }, interrupt.Token));
        await Wait.UntilAsync(async () => (await lab.Client.CoreV1.ListNamespacedPodAsync("kube-system", labelSelector: RescueMetadata.ComponentLabel)).Items.Count == 0,
            TimeSpan.FromSeconds(30), "the interrupted run's rescue pod to go");

        // A rescue pod left by a run that died (SIGKILL: no clean-up) is adopted by the next run, not duplicated.
        var source = await RescueSources.ResolveAsync(lab.Client, ControlPlaneComponent.Scheduler, RescueSourceSpec.Default, CancellationToken.None);
        var node = await lab.Client.CoreV1.ReadNodeAsync("master-2");
        await lab.Client.CoreV1.CreateNamespacedPodAsync(RescuePodRenderer.Render(ControlPlaneComponent.Scheduler, source, node), "kube-system");
        var result = await lab.RecoverAsync(options);
        Assert.True(result.Succeeded, result.Failure + "\n" + lab.Story);
        Assert.StartsWith("adopted kube-scheduler-rescue on master-2", result.Steps[0].Outcome, StringComparison.Ordinal);
        await lab.AssertHealthyAsync(ControlPlaneComponent.Scheduler);
    }
}
