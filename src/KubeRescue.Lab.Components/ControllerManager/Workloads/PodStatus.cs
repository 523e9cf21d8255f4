using k8s.Models;
using KubeRescue.Lab.Components;

namespace KubeRescue.Lab.Components.ControllerManager.Workloads;

/// <summary>podutil's readiness and availability, and controller.IsPodActive.</summary>
static class PodStatus
{
    /// <summary>Counts toward a controller's replicas: not Succeeded or Failed, not being deleted.</summary>
    public static bool IsActive(V1Pod pod) =>
        pod.Status?.Phase is not ("Succeeded" or "Failed") && pod.Metadata.DeletionTimestamp is null;

    public static V1PodCondition? ReadyCondition(V1Pod pod) => pod.Status?.Conditions?.FirstOrDefault(c => c.Type == "Ready");

    public static bool IsReady(V1Pod pod) => ReadyCondition(pod)?.Status == "True";

    /// <summary>Ready for at least minReadySeconds (in lab time).</summary>
    public static bool IsAvailable(V1Pod pod, int minReadySeconds, DateTime now, LabTiming timing)
    {
        if (ReadyCondition(pod) is not { Status: "True" } ready) return false;
        if (minReadySeconds == 0) return true;
        return ready.LastTransitionTime is { } since && since.ToUniversalTime() + timing.Seconds(minReadySeconds) < now;
    }
}
