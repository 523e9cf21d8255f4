using KubeRescue.Kube;
using KubeRescue.Kubernetes.Client;
using k8s.Models;

namespace KubeRescue.Recovery;

/// <summary>
/// Waits until the permanent workload runs enough pods of its own (Ready, and stayed so for MinReady), while the
/// rescue pod keeps working: if it crashes or goes, the wait fails rather than waiting for what cannot come.
/// </summary>
public sealed class AwaitReplacementStep(ComponentPlan plan) : IRecoveryStep
{
    const int RescueCrashLoop = 3;

    public string Name => "await-replacement";
    public ControlPlaneComponent? Component => plan.Component;
    public string Description => $"wait until {plan.Workload.Description} runs {plan.Workload.Needed} of {plan.Workload.Desired} pods of its own";

    public async Task<string> RunAsync(RecoveryRun run, CancellationToken ct)
    {
        var (w, component) = (plan.Workload, plan.Component);
        var signal = new ChangeSignal();
        await using var pods = signal.Follow(Informers.Pods(run.Client, w.Namespace, labelSelector: w.Selector, options: run.Watches));
        await using var rescue = signal.Follow(Informers.Pods(run.Client, component.Namespace, fieldSelector: $"metadata.name={component.RescuePodName}", options: run.Watches));
        var live = new List<V1Pod>();
        return await Waits.UntilAsync(signal, () =>
        {
            if (!pods.IsSynced || !rescue.IsSynced) return null;
            var permanent = pods.Items.Where(p => Workload.IsPermanent(p) && !PodState.IsTerminating(p)).ToList();
            live = [.. permanent.Where(run.Readiness.IsStable).OrderBy(p => p.Metadata.Name, StringComparer.Ordinal)];
            var running = string.Join(", ", live.Select(p => $"{p.Metadata.Name} on {p.Spec.NodeName}"));
            if (live.Count >= w.Needed) return $"{live.Count} of {w.Desired} run: {running}";
            // Short, but for a reason no rescue pod cures (a bad template, a host that crashes it): one that runs can
            // lead, and waiting longer changes nothing.
            var crashing = permanent.Where(p => PodState.Crash(p) is not null || PodState.Rejection(p) is not null).ToList();
            if (live.Count > 0 && live.Count + crashing.Count == permanent.Count)
                return $"{live.Count} of {w.Desired} run: {running}; the others keep failing where they are: " +
                    string.Join(", ", crashing.Select(p => $"{p.Metadata.Name} on {p.Spec.NodeName}: {PodState.Crash(p) ?? PodState.Rejection(p)}"));
            var r = rescue.Items.FirstOrDefault();
            if (r is null || PodState.IsTerminating(r)) throw new RecoveryFailedException($"{component.RescuePodName} went away before {w.Description} had its pods back");
            // A restart or two is survivable (a leader that missed its renew deadline exits and comes back, as
            // upstream's do); a crash loop is not.
            if (PodState.Crash(r) is { } crash && PodState.Restarts(r) >= RescueCrashLoop && !PodState.IsReady(r))
                throw new RecoveryFailedException($"{component.RescuePodName} on {r.Spec.NodeName} stopped working: {crash}");
            return null;
        }, run.Deadline, run.Clock, $"{w.Description} to run {w.Needed} pods", () => Describe([.. pods.Items]), ct, () => run.Readiness.Recheck);
    }

    static string Describe(IReadOnlyList<V1Pod> pods) => pods.Count == 0
        ? "it has no pods at all (is a controller-manager running?)"
        : string.Join(", ", pods.Select(p => $"{p.Metadata.Name} {(string.IsNullOrEmpty(p.Spec.NodeName) ? "unscheduled" : "on " + p.Spec.NodeName)}: " +
            $"{p.Status?.Phase ?? "Pending"}{(PodState.Crash(p) is { } c ? ", " + c : PodState.IsReady(p) ? ", Ready" : "")}"));
}
