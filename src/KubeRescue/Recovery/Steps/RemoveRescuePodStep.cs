namespace KubeRescue.Recovery;

/// <summary>Deletes the rescue pod (only a pod kube-rescue created: it carries the rescue label) and waits until it is gone.</summary>
public sealed class RemoveRescuePodStep(ComponentPlan plan) : IRecoveryStep
{
    public string Name => "remove-rescue-pod";
    public ControlPlaneComponent? Component => plan.Component;
    public string Description => $"delete pod {plan.Component.Namespace}/{plan.Component.RescuePodName} and wait until it is gone";

    public async Task<string> RunAsync(RecoveryRun run, CancellationToken ct)
    {
        var component = plan.Component;
        var pod = await RescuePods.ReadAsync(run.Client, component.Namespace, component.RescuePodName, ct);
        if (pod is null) return $"{component.RescuePodName} is already gone";
        if (pod.Metadata.Labels?.TryGetValue(RescueMetadata.ComponentLabel, out var owner) != true || owner != component.Name)
            throw new RecoveryFailedException($"pod {component.Namespace}/{component.RescuePodName} is not a kube-rescue pod any more (its label changed): left alone");
        await RescuePods.DeleteAsync(run, pod, ct);
        return $"{component.RescuePodName} removed from {pod.Spec.NodeName}";
    }
}
