using System.Net;
using KubeRescue.Kube;
using KubeRescue.Kubernetes.Client;
using KubeRescue.Rendering;
using k8s.Autorest;
using k8s.Models;
using k8s;

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
        // Why each master failed, by node: also which masters not to try again.
        var failures = new Dictionary<string, Failure>(StringComparer.Ordinal);
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
                run.Warn($"{component.RescuePodName} left by an earlier run on {existing.Spec.NodeName}: {failure.Reason}; removing it");
                await RescuePods.DeleteAsync(run, existing, ct);
                failures[existing.Spec.NodeName] = failure;
            }
        }

        // A lease left by a pod that is gone would keep the rescue instance from leading for up to its duration.
        await StaleLeases.ReleaseIfHolderGoneAsync(run, component, ct);
        foreach (var candidate in plan.Candidates.Where(c => !failures.ContainsKey(c.Node.Metadata.Name)))
        {
            var node = candidate.Node.Metadata.Name;
            var pod = RescuePodRenderer.Render(component, plan.Source, candidate.Node);
            var created = await CreateAsync(run, pod, ct);
            run.Created(created);
            run.Progress($"created {component.RescuePodName} on {node}");
            var failure = await AwaitStartAsync(run, created, ct);
            if (failure is null) return $"{component.RescuePodName} runs on {node}";
            run.Warn($"{component.RescuePodName} on {node}: {failure.Reason}; removing it{(candidate == plan.Candidates[^1] ? "" : " and trying the next master")}");
            await RescuePods.DeleteAsync(run, created, ct);
            failures[node] = failure;
        }
        throw new RecoveryFailedException($"{component.RescuePodName} could not run on any master ({string.Join("; ", failures.Select(f => $"{f.Key}: {f.Value.Reason}"))})." +
            (failures.Count > 0 && failures.Values.All(f => f.Crashed) ? " It crashed everywhere: the template itself may be bad; try --source last-good --rollback." : ""));
    }

    /// <summary>
    /// Creates the rescue pod. A create the API server applied but whose answer was lost is retried and refused as
    /// AlreadyExists (409): the pod there is then this very one if it is a rescue pod for the same node, and taken as created.
    /// </summary>
    static async Task<V1Pod> CreateAsync(RecoveryRun run, V1Pod pod, CancellationToken ct)
    {
        var ns = pod.Metadata.NamespaceProperty;
        try
        {
            return await run.Client.CoreV1.CreateNamespacedPodAsync(pod, ns, fieldManager: RescueMetadata.FieldManager, cancellationToken: ct);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
        {
            var there = await RescuePods.ReadAsync(run.Client, ns, pod.Metadata.Name, ct);
            static string? Rescues(V1Pod p) => p.Metadata.Labels is { } labels && labels.TryGetValue(RescueMetadata.ComponentLabel, out var c) ? c : null;
            if (there is null || Rescues(there) != Rescues(pod) || there.Spec.NodeName != pod.Spec.NodeName || PodState.IsTerminating(there)) throw;
            return there;
        }
    }

    /// <summary>Why a rescue pod will not run there: rejected, deleted, too slow, or its container crashed.</summary>
    sealed record Failure(string Reason, bool Crashed = false);

    /// <summary>Null once the pod has run Ready for MinReady; else why it will not.</summary>
    static async Task<Failure?> AwaitStartAsync(RecoveryRun run, V1Pod pod, CancellationToken ct)
    {
        var signal = new ChangeSignal();
        await using var watched = signal.Follow(Informers.Pods(run.Client, pod.Metadata.NamespaceProperty, fieldSelector: $"metadata.name={pod.Metadata.Name}", options: run.Watches));
        var startBy = run.Now + run.Options.StartTimeout;
        V1Pod? last = null;
        try
        {
            var outcome = await Waits.UntilAsync(signal, () =>
            {
                if (!watched.IsSynced) return null;
                last = watched.Items.FirstOrDefault(p => p.Metadata.Uid == pod.Metadata.Uid);
                if (last is null) return new Outcome(new Failure("it was deleted by someone else"));
                if (PodState.IsTerminating(last)) return new Outcome(new Failure("it is being deleted by someone else"));
                if (PodState.Rejection(last) is { } rejected) return new Outcome(new Failure($"the kubelet rejected it: {rejected}"));
                if (PodState.Crash(last) is { } crash) return new Outcome(new Failure(crash, Crashed: true));
                return run.Readiness.IsStable(last) ? new Outcome(null) : null;
            }, startBy < run.Deadline ? startBy : run.Deadline, run.Clock, $"{pod.Metadata.Name} to start", () => Describe(last), ct, () => run.Readiness.Recheck);
            return outcome.Failure;
        }
        catch (WaitTimeoutException) when (startBy < run.Deadline)
        {
            return new Failure($"it did not start within {run.Options.StartTimeout.TotalSeconds:0} s ({Describe(last)})");
        }
    }

    sealed record Outcome(Failure? Failure);

    static string Describe(V1Pod? pod)
    {
        if (pod is null) return "no such pod seen";
        var waiting = pod.Status?.ContainerStatuses?.Select(s => s.State?.Waiting?.Reason).FirstOrDefault(r => r is not null);
        return $"phase {pod.Status?.Phase ?? "unknown"}{(waiting is null ? "" : $", {waiting}")}{(PodState.IsReady(pod) ? ", Ready" : "")}";
    }
}
