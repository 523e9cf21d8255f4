using k8s;
using k8s.Models;
using KubeRescue.Kube;
using KubeRescue.Rendering;

namespace KubeRescue.Recovery;

/// <summary>
/// Runs the rescue pod: adopts one an earlier run left if it works, else creates it on the best master and watches
/// it start. A kubelet rejection, a crash, or no start within the start timeout means the pod is removed and the next
/// master is tried (field guide §2: a rejected pod is terminal, nothing will retry it).
/// </summary>
public sealed class EnsureRescuePodStep(ComponentPlan plan) : IRecoveryStep
{
    public string Name => "ensure-rescue-pod";
    public ControlPlaneComponent? Component => plan.Component;

    public string Description =>
        $"run pod {plan.Component.Namespace}/{plan.Component.RescuePodName} on {(plan.Candidates.Count == 0 ? plan.Existing?.Spec.NodeName : string.Join(", else ", plan.Candidates.Select(c => c.Node.Metadata.Name)))} " +
        $"from {plan.Source.Description}{(plan.Source.Revision is null ? "" : $" revision {plan.Source.Revision}")}";

    public async Task<string> RunAsync(RecoveryRun run, CancellationToken ct)
    {
        var component = plan.Component;
        var tried = new List<string>();
        if (await RescuePods.ReadAsync(run.Client, component.Namespace, component.RescuePodName, ct) is { } existing)
        {
            if (PodState.IsTerminating(existing))
            {
                run.Progress($"{component.RescuePodName} from an earlier run is terminating; waiting for it to go");
                await RescuePods.WaitGoneAsync(run, existing, ct);
            }
            else
            {
                var failure = await AwaitStartAsync(run, existing, ct);
                if (failure is null) return $"adopted {component.RescuePodName} on {existing.Spec.NodeName}, left by an earlier run: it runs";
                run.Warn($"{component.RescuePodName} left by an earlier run on {existing.Spec.NodeName}: {failure}; removing it");
                await RescuePods.DeleteAsync(run, existing, ct);
                tried.Add($"{existing.Spec.NodeName}: {failure}");
            }
        }

        // A lease left by a pod that is gone would keep the rescue instance from leading for up to its duration.
        await StaleLeases.ReleaseIfHolderGoneAsync(run, component, ct);
        foreach (var candidate in plan.Candidates.Where(c => !tried.Any(t => t.StartsWith(c.Node.Metadata.Name + ":", StringComparison.Ordinal))))
        {
            var node = candidate.Node.Metadata.Name;
            var pod = RescuePodRenderer.Render(component, plan.Source, candidate.Node);
            var created = await run.Client.CoreV1.CreateNamespacedPodAsync(pod, component.Namespace, fieldManager: RescueMetadata.FieldManager, cancellationToken: ct);
            run.Created(created);
            run.Progress($"created {component.RescuePodName} on {node}");
            var failure = await AwaitStartAsync(run, created, ct);
            if (failure is null) return $"{component.RescuePodName} runs on {node}";
            run.Warn($"{component.RescuePodName} on {node}: {failure}; removing it{(candidate == plan.Candidates[^1] ? "" : " and trying the next master")}");
            await RescuePods.DeleteAsync(run, created, ct);
            tried.Add($"{node}: {failure}");
        }
        var crashedEverywhere = tried.Count > 0 && tried.All(t => t.Contains("crashes", StringComparison.Ordinal) || t.Contains("exited", StringComparison.Ordinal));
        throw new RecoveryFailedException($"{component.RescuePodName} could not run on any master ({string.Join("; ", tried)})." +
            (crashedEverywhere ? " It crashed everywhere: the template itself may be bad; try --source last-good --rollback." : ""));
    }

    /// <summary>Null once the pod has run Ready for MinReady; else why it will not (rejected, crashed, deleted, too slow).</summary>
    static async Task<string?> AwaitStartAsync(RecoveryRun run, V1Pod pod, CancellationToken ct)
    {
        var signal = new ChangeSignal();
        var tracker = new ReadinessTracker(run.Options.MinReady);
        await using var watched = Watched<V1Pod>.Pods(run.Client, pod.Metadata.NamespaceProperty, signal, fieldSelector: $"metadata.name={pod.Metadata.Name}");
        var startBy = DateTime.UtcNow + run.Options.StartTimeout;
        V1Pod? last = null;
        try
        {
            var outcome = await Waits.UntilAsync(signal, () =>
            {
                if (!watched.Synced) return null;
                last = watched.Items.FirstOrDefault(p => p.Metadata.Uid == pod.Metadata.Uid);
                if (last is null) return new Outcome("it was deleted by someone else");
                if (PodState.IsTerminating(last)) return new Outcome("it is being deleted by someone else");
                if (PodState.Rejection(last) is { } rejected) return new Outcome($"the kubelet rejected it: {rejected}");
                if (PodState.Crash(last) is { } crash) return new Outcome(crash);
                return tracker.IsStable(last) ? new Outcome(null) : null;
            }, startBy < run.Deadline ? startBy : run.Deadline, $"{pod.Metadata.Name} to start", () => Describe(last), ct, tracker.Recheck);
            return outcome.Failure;
        }
        catch (WaitTimeoutException) when (startBy < run.Deadline)
        {
            return $"it did not start within {run.Options.StartTimeout.TotalSeconds:0} s ({Describe(last)})";
        }
    }

    sealed record Outcome(string? Failure);

    static string Describe(V1Pod? pod)
    {
        if (pod is null) return "no such pod seen";
        var waiting = pod.Status?.ContainerStatuses?.Select(s => s.State?.Waiting?.Reason).FirstOrDefault(r => r is not null);
        return $"phase {pod.Status?.Phase ?? "unknown"}{(waiting is null ? "" : $", {waiting}")}{(PodState.IsReady(pod) ? ", Ready" : "")}";
    }
}
