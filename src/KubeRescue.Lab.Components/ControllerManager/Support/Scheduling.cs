using KubeRescue.Lab.Components;
using k8s.Models;

namespace KubeRescue.Lab.Components.ControllerManager.Support;

/// <summary>The taints and pod-readiness rules the controllers share; matching tolerations and node constraints is <see cref="NodeMatching"/>.</summary>
public static class Scheduling
{
    public const string NotReadyTaint = "node.kubernetes.io/not-ready";
    public const string UnreachableTaint = "node.kubernetes.io/unreachable";
    public const string DiskPressureTaint = "node.kubernetes.io/disk-pressure";
    public const string MemoryPressureTaint = "node.kubernetes.io/memory-pressure";
    public const string PidPressureTaint = "node.kubernetes.io/pid-pressure";
    public const string UnschedulableTaint = "node.kubernetes.io/unschedulable";
    public const string NetworkUnavailableTaint = "node.kubernetes.io/network-unavailable";

    /// <summary>The first taint with one of <paramref name="effects"/> that no toleration tolerates, or null.</summary>
    public static V1Taint? FirstUntolerated(IEnumerable<V1Taint>? taints, IEnumerable<V1Toleration>? tolerations, params string[] effects) =>
        taints?.FirstOrDefault(t => effects.Contains(t.Effect) && !NodeMatching.Tolerates(tolerations, t));

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
