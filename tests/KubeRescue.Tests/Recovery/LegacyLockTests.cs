using k8s;
using k8s.Models;
using KubeRescue.Diagnosis;
using KubeRescue.Kube;
using KubeRescue.Lab.ApiServer.Hosting;
using KubeRescue.Recovery;
using KubeRescue.Rendering;

namespace KubeRescue.Tests.Recovery;

/// <summary>
/// Clusters older than Lease locks keep the leader record in an annotation on an Endpoints object: the hand-over is
/// read from there. On the lab's API server alone, with the pods and the record written as their owners would. The
/// record is judged on the run's clock, a fake one here, against the renewal time its holder wrote: pure arithmetic
/// over what the API server returns, as in a cluster, where another machine's clock wrote it.
/// </summary>
public class LegacyLockTests
{
    static readonly TimeSpan Duration = TimeSpan.FromSeconds(15), Tick = TimeSpan.FromTicks(1);

    /// <summary>A Ready pod of the scheduler, the record naming it renewed at <paramref name="renewed"/> for 15 s, and the step that awaits its leader.</summary>
    static async Task WithRecordAsync(DateTimeOffset renewed, Func<IKubernetes, AwaitLeaderStep, Task> test)
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
        var record = $$"""{"holderIdentity":"kube-scheduler-1_0b6c","leaseDurationSeconds":15,"acquireTime":"{{renewed:O}}","renewTime":"{{renewed:O}}","leaderTransitions":1}""";
        await client.CoreV1.CreateNamespacedEndpointsAsync(new V1Endpoints
        {
            Metadata = new() { Name = "kube-scheduler", Annotations = new Dictionary<string, string> { [LeaderRecord.Annotation] = record } },
        }, "kube-system");

        var template = new V1PodTemplateSpec { Metadata = new() { Labels = labels }, Spec = pod.Spec };
        var plan = new ComponentPlan(ControlPlaneComponent.Scheduler,
            new ComponentStatus("kube-scheduler", Verdict.Down, "", null, [], null, null, [], ""),
            new Workload("Deployment", "kube-system", "kube-scheduler", "k8s-app=kube-scheduler", 1, 1, template, "1"),
            new RescueSource("Deployment/kube-system/kube-scheduler", "1", template), false, [], pod, null);
        await test(client, new AwaitLeaderStep(plan));
    }

    static RecoveryRun Run(IKubernetes client, TimeProvider clock, IRecoveryStep step) =>
        new(client, new RecoveryOptions { Components = [ControlPlaneComponent.Scheduler], Timeout = TimeSpan.FromSeconds(20), Clock = clock }, _ => { }) { Current = step };

    [Fact]
    public async Task The_leader_is_read_from_an_endpoints_lock_when_there_is_no_lease_to_the_last_instant_of_its_duration()
    {
        var clock = new FakeClock();
        await WithRecordAsync(clock.GetUtcNow(), async (client, step) =>
        {
            clock.Advance(Duration);
            // The clock stays there: a step that judged the record expired would wait for good, so the wait is bounded.
            var outcome = await step.RunAsync(Run(client, clock, step), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal("held by kube-scheduler-1_0b6c (pod kube-scheduler-1 on master-1, Endpoints lock)", outcome);
        });
    }

    [Fact]
    public async Task An_endpoints_lock_a_tick_past_its_duration_names_no_leader_and_the_wait_ends_at_the_timeout()
    {
        var clock = new FakeClock();
        await WithRecordAsync(clock.GetUtcNow(), async (client, step) =>
        {
            clock.Advance(Duration + Tick);
            var run = Run(client, clock, step);
            var awaiting = step.RunAsync(run, CancellationToken.None);
            // The record is read again every second of the clock; its holder's pod runs Ready, but the record is expired.
            for (var second = 0; second < 60 && !awaiting.IsCompleted; second++)
            {
                await clock.UntilWaitedOnAsync(awaiting);
                clock.Advance(TimeSpan.FromSeconds(1));
            }
            var e = await Assert.ThrowsAsync<WaitTimeoutException>(() => awaiting.WaitAsync(TimeSpan.FromSeconds(30)));
            Assert.Equal("timed out waiting for a pod of Deployment/kube-system/kube-scheduler to lead: the Endpoints lock's holder is kube-scheduler-1_0b6c", e.Message);
            Assert.True(clock.GetUtcNow().UtcDateTime >= run.Deadline);
        });
    }
}
