using k8s;
using k8s.Models;
using KubeRescue.Diagnosis;
using KubeRescue.Lab.ApiServer.Hosting;
using KubeRescue.Recovery;
using KubeRescue.Rendering;

namespace KubeRescue.Tests.Recovery;

/// <summary>
/// Clusters older than Lease locks keep the leader record in an annotation on an Endpoints object: the hand-over is
/// read from there. On the lab's API server alone, with the pods and the record written as their owners would.
/// </summary>
public class LegacyLockTests
{
    [Fact]
    public async Task The_leader_is_read_from_an_endpoints_lock_when_there_is_no_lease()
    {
        await using var server = await LabApiServer.StartAsync(new LabApiServerOptions());
        using var client = new k8s.Kubernetes(server.ClientConfiguration());
        var labels = new Dictionary<string, string> { ["k8s-app"] = "kube-scheduler" };
        var pod = await client.CoreV1.CreateNamespacedPodAsync(new V1Pod
        {
            Metadata = new() { Name = "kube-scheduler-1", Labels = labels },
            Spec = new V1PodSpec { NodeName = "master-1", Containers = [new() { Name = "kube-scheduler", Image = "hyperkube" }] },
        }, "kube-system");
        pod.Status = new V1PodStatus { Phase = "Running", Conditions = [new V1PodCondition { Type = "Ready", Status = "True" }] };
        await client.CoreV1.ReplaceNamespacedPodStatusAsync(pod, pod.Metadata.Name, "kube-system");
        var record = $$"""{"holderIdentity":"kube-scheduler-1_0b6c","leaseDurationSeconds":15,"acquireTime":"{{DateTime.UtcNow:O}}","renewTime":"{{DateTime.UtcNow:O}}","leaderTransitions":1}""";
        await client.CoreV1.CreateNamespacedEndpointsAsync(new V1Endpoints
        {
            Metadata = new() { Name = "kube-scheduler", Annotations = new Dictionary<string, string> { [LeaderRecord.Annotation] = record } },
        }, "kube-system");

        var template = new V1PodTemplateSpec { Metadata = new() { Labels = labels }, Spec = pod.Spec };
        var plan = new ComponentPlan(ControlPlaneComponent.Scheduler,
            new ComponentStatus("kube-scheduler", Verdict.Down, "", null, [], null, null, [], ""),
            new Workload("Deployment", "kube-system", "kube-scheduler", "k8s-app=kube-scheduler", 1, 1, template, "1"),
            new RescueSource("Deployment/kube-system/kube-scheduler", "1", template), false, [], pod, null);
        var options = new RecoveryOptions { Components = [ControlPlaneComponent.Scheduler], Timeout = TimeSpan.FromSeconds(20) };
        var step = new AwaitLeaderStep(plan);
        var outcome = await step.RunAsync(new RecoveryRun(client, options, _ => { }) { Current = step }, CancellationToken.None);
        Assert.Equal("held by kube-scheduler-1_0b6c (pod kube-scheduler-1 on master-1, Endpoints lock)", outcome);
    }
}
