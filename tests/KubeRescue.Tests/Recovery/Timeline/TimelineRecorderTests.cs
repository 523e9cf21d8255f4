using System.Text.RegularExpressions;
using k8s;
using KubeRescue.Diagnosis;
using KubeRescue.Lab.Faults;
using KubeRescue.Recovery;
using KubeRescue.Recovery.Timeline;

namespace KubeRescue.Tests.Recovery.Timeline;

/// <summary>
/// One scheduler recovery on a lab of its own, recorded three times at once: by a recorder as the CLI uses it, by
/// one capped at three changes, and by one whose client reaches no API server. The tests read the three records.
/// </summary>
public sealed class RecordedSchedulerRecovery : IAsyncLifetime
{
    public RecoveryResult Result { get; private set; } = null!;
    public RecoveryTimeline Timeline { get; private set; } = null!;
    public RecoveryTimeline Capped { get; private set; } = null!;
    public RecoveryTimeline Unreachable { get; private set; } = null!;
    public string Story { get; private set; } = "";

    public async Task InitializeAsync()
    {
        await using var lab = await RecoveryScenario.StartAsync();
        await DeletePodsFault.RunAsync(lab.Client, ["kube-scheduler"], RecoveryScenario.Poll, TimeSpan.FromSeconds(2), _ => { }, CancellationToken.None);
        var options = lab.Options(ControlPlaneComponent.Scheduler);
        var plan = await RecoveryPlanner.PlanAsync(lab.Client, options, CancellationToken.None);

        // Port 1 refuses connections at once: every list and read fails.
        using var nowhere = new k8s.Kubernetes(new KubernetesClientConfiguration { Host = "https://127.0.0.1:1", SkipTlsVerify = true });
        var unreachableStart = TimelineRecorder.StartAsync(nowhere, plan, CancellationToken.None);
        await using var recorder = await TimelineRecorder.StartAsync(lab.Client, plan, CancellationToken.None);
        await using var capped = await TimelineRecorder.StartAsync(lab.Client, plan, CancellationToken.None, maxChanges: 3);
        Result = await RecoveryRunner.RunAsync(lab.Client, plan, options, e =>
        {
            recorder.Record(e);
            capped.Record(e);
            lock (lab.Events) lab.Events.Add(e);
        }, CancellationToken.None);
        Story = lab.Story;
        Timeline = await recorder.FinishAsync(Result);
        Capped = await capped.FinishAsync(Result);
        await using var unreachable = await unreachableStart;
        Unreachable = await unreachable.FinishAsync(Result with { After = null });
    }

    public Task DisposeAsync() => Task.CompletedTask;
}

public class TimelineRecorderTests(RecordedSchedulerRecovery run) : IClassFixture<RecordedSchedulerRecovery>
{
    RecoveryTimeline T => run.Timeline;

    [Fact]
    public void The_steps_are_recorded_in_the_plan_s_order_one_after_the_other()
    {
        Assert.True(run.Result.Succeeded, run.Result.Failure + "\n" + run.Story);
        Assert.Equal(TimelineOutcome.Succeeded, T.Outcome);
        Assert.Equal(run.Result.Steps.Select(s => (s.Step, s.Component, s.Outcome)), T.Steps.Select(s => (s.Name, s.Component, s.Outcome!)));
        Assert.All(T.Steps, s => Assert.Equal(StepState.Succeeded, s.State));
        var previousEnd = TimeSpan.Zero;
        foreach (var s in T.Steps)
        {
            Assert.True(s.Started >= previousEnd && s.Ended >= s.Started, $"{s.Name}: {s.Started}..{s.Ended} after {previousEnd}");
            previousEnd = s.Ended!.Value;
        }
        Assert.True(previousEnd <= T.Duration);
        Assert.Equal(["kube-scheduler"], T.Components);
        Assert.True(T.Complete, string.Join("; ", T.Gaps));
        Assert.Equal(T.Duration, T.RecordedUntil);
    }

    [Fact]
    public void The_rescue_pod_lives_on_the_node_it_was_created_on_until_the_removal_step_deletes_it()
    {
        var created = T.Notes.Select(n => Regex.Match(n.Message, @"^created kube-scheduler-rescue on (\S+)")).Single(m => m.Success).Groups[1].Value;
        var rescue = Assert.Single(T.Pods, p => p.IsRescue);
        Assert.Equal("kube-scheduler-rescue", rescue.Name);
        Assert.Contains(rescue.Intervals, i => i.State == PodLaneState.Ready && i.Node == created);
        Assert.All(rescue.Intervals.Where(i => i.Node is not null), i => Assert.Equal(created, i.Node));
        var removal = T.Steps.Single(s => s.Name == "remove-rescue-pod");
        Assert.NotNull(rescue.Gone);
        // The recorder's own watch sees the deletion a moment after the step's watch does: after the removal began, by the end.
        Assert.InRange(rescue.Gone.Value, removal.Started!.Value, T.Duration);
    }

    [Fact]
    public void The_replacements_wait_unscheduled_until_the_rescue_scheduler_runs_then_run_Ready_on_masters()
    {
        // The rescue scheduler may place pods as soon as it runs, before its kubelet reports it Ready.
        var rescueRunning = T.Pods.Single(p => p.IsRescue).Intervals.First(i => i.Phase == "Running").From;
        var replacements = T.Pods.Where(p => !p.IsRescue && p.Gone is null).ToList();
        Assert.Equal(2, replacements.Count);
        Assert.All(replacements, p =>
        {
            Assert.Equal("kube-scheduler", p.Component);
            Assert.Equal(TimeSpan.Zero, p.Intervals[0].From);
            Assert.Equal(PodLaneState.Pending, p.Intervals[0].State);
            Assert.Null(p.Intervals[0].Node);
            var placed = p.Intervals.First(i => i.Node is not null);
            Assert.True(placed.From >= rescueRunning, $"{p.Name} placed at {placed.From}, before the rescue scheduler ran at {rescueRunning}");
            Assert.Equal(PodLaneState.Ready, p.Intervals[^1].State);
            Assert.StartsWith("master-", p.Intervals[^1].Node);
        });
    }

    [Fact]
    public void The_lease_passes_from_the_rescue_pod_to_a_permanent_pod()
    {
        var lease = Assert.Single(T.Leases);
        Assert.Equal(("kube-system", "kube-scheduler", "Lease"), (lease.Namespace, lease.Name, lease.Source));
        var rescueHeld = lease.Holdings.ToList().FindIndex(h => h.HolderIsRescue && h.HolderPod == "kube-scheduler-rescue" && !h.Expired);
        Assert.True(rescueHeld >= 0, string.Join("\n", lease.Holdings));
        Assert.StartsWith("kube-scheduler-rescue_", lease.Holdings[rescueHeld].Holder);
        var last = lease.Holdings[^1];
        Assert.False(last.HolderIsRescue);
        Assert.False(last.Expired);
        Assert.Contains(T.Pods, p => !p.IsRescue && p.Gone is null && p.Name == last.HolderPod);
        Assert.StartsWith(last.HolderPod + "_", last.Holder);
        Assert.Equal(T.Duration, last.To);
    }

    [Fact]
    public void Intervals_are_contiguous_and_within_the_run()
    {
        Assert.All(T.Pods, p =>
        {
            for (var i = 1; i < p.Intervals.Count; i++) Assert.Equal(p.Intervals[i - 1].To, p.Intervals[i].From);
            Assert.All(p.Intervals, i => Assert.True(i.From >= TimeSpan.Zero && i.To >= i.From && i.To <= T.Duration));
            Assert.Equal(p.Gone ?? T.Duration, p.Intervals[^1].To);
        });
        Assert.All(T.Leases, l =>
        {
            Assert.Equal(TimeSpan.Zero, l.Holdings[0].From);
            for (var i = 1; i < l.Holdings.Count; i++) Assert.Equal(l.Holdings[i - 1].To, l.Holdings[i].From);
        });
    }

    [Fact]
    public void Before_and_after_are_the_diagnoses_of_the_plan_and_of_the_end()
    {
        Assert.Equal(Verdict.Down, Assert.Single(T.Before).Verdict);
        Assert.Same(run.Result.After, T.After);
        Assert.Equal(Verdict.Healthy, T.After!.Components.Single(c => c.Name == "kube-scheduler").Verdict);
        Assert.True(T.StartedAt <= T.After.ObservedAt && T.After.ObservedAt <= T.StartedAt + T.Duration + TimeSpan.FromSeconds(1));
    }

    [Fact]
    public void A_capped_recorder_stops_at_its_cap_and_says_so_while_the_steps_are_still_recorded()
    {
        var c = run.Capped;
        Assert.False(c.Complete);
        Assert.Contains(c.Gaps, g => g.StartsWith("more than 3 changes of pods and Leases: the record stops at", StringComparison.Ordinal));
        Assert.Equal(3, c.Pods.Sum(p => p.Intervals.Count) + c.Leases.Sum(l => l.Holdings.Count));
        Assert.True(c.RecordedUntil < c.Duration);
        Assert.All(c.Pods.SelectMany(p => p.Intervals), i => Assert.True(i.To <= c.RecordedUntil));
        Assert.All(c.Steps, s => Assert.Equal(StepState.Succeeded, s.State));
    }

    [Fact]
    public void A_recorder_that_reaches_no_API_server_ends_in_an_incomplete_timeline_not_an_exception()
    {
        var u = run.Unreachable;
        Assert.False(u.Complete);
        Assert.Empty(u.Pods);
        Assert.All(u.Leases, l => Assert.Empty(l.Holdings));
        Assert.Contains(u.Gaps, g => g.StartsWith("the pods of Deployment/kube-system/kube-scheduler", StringComparison.Ordinal) && g.Contains("could not be listed: cannot reach the API server"));
        Assert.Contains(u.Gaps, g => g.StartsWith("the Lease kube-system/kube-scheduler could not be read", StringComparison.Ordinal));
        Assert.Contains(u.Gaps, g => g.StartsWith("the status afterwards could not be read: cannot reach the API server", StringComparison.Ordinal));
        Assert.Null(u.After);
        Assert.Equal(TimelineOutcome.Succeeded, u.Outcome);
    }
}
