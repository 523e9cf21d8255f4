using KubeRescue.Kube;
using KubeRescue.Kubernetes.Client;
using k8s.Models;

namespace KubeRescue.Recovery;

/// <summary>
/// Follows the plan's pods (each workload's by its selector, and each rescue pod by name) for the whole run and
/// tells the run's <see cref="RecoveryRun.Readiness"/> what it sees. The replacements usually become Ready while
/// the rescue pod's own stability window still runs; seen from then, their window ends soon after the rescue pod's
/// instead of a whole window after await-replacement first looks at them. Every step still judges the pods itself.
/// </summary>
sealed class PodObservation : IAsyncDisposable
{
    readonly List<Informer<V1Pod>> _watches;
    readonly CancellationTokenSource _stop = new();
    readonly Task _loop;

    PodObservation(RecoveryRun run, IEnumerable<ComponentPlan> plans)
    {
        var signal = new ChangeSignal();
        _watches = [.. plans.SelectMany(p => new[]
        {
            signal.Follow(Informers.Pods(run.Client, p.Workload.Namespace, labelSelector: p.Workload.Selector, options: run.Watches)),
            signal.Follow(Informers.Pods(run.Client, p.Component.Namespace, fieldSelector: $"metadata.name={p.Component.RescuePodName}", options: run.Watches)),
        })];
        _loop = Task.Run(() => FollowAsync(run, signal, _stop.Token));
    }

    public static PodObservation Start(RecoveryRun run, RecoveryPlan plan) => new(run, plan.Components);

    async Task FollowAsync(RecoveryRun run, ChangeSignal signal, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            foreach (var pod in _watches.SelectMany(w => w.Items)) run.Readiness.IsStable(pod);
            try { await signal.WaitAsync(TimeSpan.FromSeconds(1), run.Clock, ct); }
            catch (OperationCanceledException) { return; }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        foreach (var w in _watches) await w.DisposeAsync();
        _stop.Dispose();
    }
}
