using KubeRescue.Diagnosis;
using KubeRescue.Kubernetes.Client;
using k8s;

namespace KubeRescue.Recovery;

public sealed record StepResult(string Step, string? Component, string Outcome, TimeSpan Elapsed, bool Succeeded);

/// <summary>How a recovery went: each step, and the control plane's status afterwards (null when it could not be read).</summary>
public sealed record RecoveryResult(bool Succeeded, IReadOnlyList<StepResult> Steps, TimeSpan Elapsed, string? Failure, ControlPlaneStatus? After);

/// <summary>
/// Runs a plan's steps in order (the rescue pods' side by side) and reports each. A failed step stops the run: a
/// rescue pod that works is left running (the cluster is better off with it, and a second run adopts it).
/// Cancellation (Ctrl-C) removes the pods this run created before it returns, so an interrupted run leaves the
/// cluster as it found it.
/// </summary>
public static class RecoveryRunner
{
    public static async Task<RecoveryResult> RunAsync(IKubernetes client, RecoveryPlan plan, RecoveryOptions options, Action<RecoveryEvent> report, CancellationToken ct)
    {
        var run = new RecoveryRun(client, options, report);
        await using var observation = PodObservation.Start(run, plan);
        var results = new List<StepResult>();
        // Recorded together: the first step waits on them.
        await Task.WhenAll(plan.Components.Select(p => RescueEvents.RecordAsync(run, p.Workload, RescueEvents.Started,
            $"kube-rescue is recovering {p.Component.Name} with a rescue pod from {p.Source.Description}{(p.Source.Revision is null ? "" : $" revision {p.Source.Revision}")}", ct)));
        string? failure = null;
        for (var next = 0; next < plan.Steps.Count && failure is null;)
        {
            // The rescue pods start side by side: each still proves itself (Ready, no restart, for --min-ready) before
            // anything depends on it, but the second one's window no longer waits for the first one's to end.
            var first = plan.Steps[next];
            List<IRecoveryStep> group = first is EnsureRescuePodStep ? [.. plan.Steps.Skip(next).TakeWhile(s => s is EnsureRescuePodStep)] : [first];
            next += group.Count;
            StepResult[] outcomes;
            try
            {
                outcomes = await Task.WhenAll(group.Select(step => RunStepAsync(run, plan, step, ct)));
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                await UndoAsync(run);
                throw;
            }
            results.AddRange(outcomes);
            if (outcomes.FirstOrDefault(o => !o.Succeeded) is { } failed)
            {
                failure = $"{failed.Step}{(failed.Component is null ? "" : $" ({failed.Component})")}: {failed.Outcome}";
                foreach (var p in plan.Components)
                    await RescueEvents.RecordAsync(run, p.Workload, RescueEvents.Failed, $"kube-rescue could not recover {p.Component.Name}: {failure}", CancellationToken.None);
            }
        }
        ControlPlaneStatus? after = null;
        try { after = await ControlPlaneDiagnoser.DiagnoseAsync(client, run.Clock, ct); }
        catch (Exception e) when (ApiErrors.IsApiOrTransport(e)) { run.Warn($"could not read the status afterwards: {ApiErrors.Describe(e)}"); }
        return new RecoveryResult(failure is null, results, run.Elapsed, failure, after);
    }

    /// <summary>One step, reported as it starts and ends; a failure the run stops on is its result, not an exception.</summary>
    static async Task<StepResult> RunStepAsync(RecoveryRun run, RecoveryPlan plan, IRecoveryStep step, CancellationToken ct)
    {
        run.Current = step;
        var started = run.Elapsed;
        run.Report(RecoveryEventKind.Started, step.Description);
        // The waits end themselves at the deadline, saying what they waited for; this ends an API call still going
        // then (an API server that neither answers nor fails), a moment later so as not to pre-empt them.
        using var deadline = new CancellationTokenSource(Max(run.Deadline - run.Now, TimeSpan.Zero) + TimeSpan.FromSeconds(1), run.Clock);
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(ct, deadline.Token);
        try
        {
            var outcome = await step.RunAsync(run, bounded.Token);
            var took = run.Elapsed - started;
            run.Report(RecoveryEventKind.Finished, outcome, took);
            if (step is AwaitLeaderStep && plan.Components.FirstOrDefault(p => p.Component == step.Component) is { } done)
                await RescueEvents.RecordAsync(run, done.Workload, RescueEvents.Completed, $"{done.Component.Name} recovered: {outcome}", ct);
            return new StepResult(step.Name, step.Component?.Name, outcome, took, true);
        }
        catch (Exception e) when (e is RecoveryFailedException or Kube.WaitTimeoutException or k8s.Autorest.HttpOperationException or HttpRequestException
            || (e is OperationCanceledException && !ct.IsCancellationRequested))
        {
            var took = run.Elapsed - started;
            var why = e is not OperationCanceledException ? ApiErrors.Describe(e)
                : bounded.IsCancellationRequested ? $"timed out: the API server had not answered when --timeout ({run.Options.Timeout.TotalSeconds:0} s) ran out"
                : "the API server did not answer in time (the client's request timeout)";
            run.Report(RecoveryEventKind.Failed, why, took);
            return new StepResult(step.Name, step.Component?.Name, why, took, false);
        }
    }

    static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    /// <summary>Removes what this run created, with a bounded wait of its own: the run's token is already cancelled.</summary>
    static async Task UndoAsync(RecoveryRun run)
    {
        using var cleanup = new CancellationTokenSource(TimeSpan.FromSeconds(60), run.Clock);
        foreach (var pod in run.CreatedPods)
        {
            try
            {
                await run.Client.CoreV1.DeleteNamespacedPodAsync(pod.Metadata.Name, pod.Metadata.NamespaceProperty,
                    new k8s.Models.V1DeleteOptions { Preconditions = new k8s.Models.V1Preconditions { Uid = pod.Metadata.Uid } }, cancellationToken: cleanup.Token);
                run.Report(RecoveryEventKind.Warning, $"interrupted: deleted pod {pod.Metadata.NamespaceProperty}/{pod.Metadata.Name}, which this run created");
            }
            catch (Exception e) when (e is k8s.Autorest.HttpOperationException or HttpRequestException or OperationCanceledException)
            {
                run.Report(RecoveryEventKind.Warning, $"interrupted: could not delete pod {pod.Metadata.NamespaceProperty}/{pod.Metadata.Name}: {e.Message}");
            }
        }
    }
}
