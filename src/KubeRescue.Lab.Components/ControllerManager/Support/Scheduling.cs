using k8s.Models;

namespace KubeRescue.Lab.Components.ControllerManager.Support;

/// <summary>The pod and node conditions the controllers read; taints and node constraints are KubeRescue.Kubernetes.Scheduling's.</summary>
public static class Scheduling
{
    public static V1PodCondition? Condition(V1Pod pod, string type) => pod.Status?.Conditions?.FirstOrDefault(c => c.Type == type);

    public static V1NodeCondition? Condition(V1Node node, string type) => node.Status?.Conditions?.FirstOrDefault(c => c.Type == type);

    public static bool IsReady(V1Pod pod) => Condition(pod, "Ready")?.Status == "True";

    /// <summary>Ready for at least minReadySeconds (podutil.IsPodAvailable).</summary>
    public static bool IsAvailable(V1Pod pod, TimeSpan minReady, DateTime now)
    {
        var ready = Condition(pod, "Ready");
        if (ready?.Status != "True") return false;
        if (minReady <= TimeSpan.Zero) return true;
        return ready.LastTransitionTime is { } since && since.ToUniversalTime() + minReady <= now;
    }

    public static bool IsActive(V1Pod pod) =>
        pod.Metadata.DeletionTimestamp is null && pod.Status?.Phase is not ("Succeeded" or "Failed");
}
