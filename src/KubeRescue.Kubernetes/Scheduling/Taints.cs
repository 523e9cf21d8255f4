using k8s.Models;

namespace KubeRescue.Kubernetes.Scheduling;

/// <summary>
/// Taints against tolerations, as core/v1's Toleration.ToleratesTaint and component-helpers' scheduling/corev1
/// decide it; and the taints Kubernetes itself puts on nodes.
/// </summary>
public static class Taints
{
    public const string NoSchedule = "NoSchedule";
    public const string PreferNoSchedule = "PreferNoSchedule";
    public const string NoExecute = "NoExecute";

    public const string NotReady = "node.kubernetes.io/not-ready";
    public const string Unreachable = "node.kubernetes.io/unreachable";
    public const string Unschedulable = "node.kubernetes.io/unschedulable";
    public const string DiskPressure = "node.kubernetes.io/disk-pressure";
    public const string MemoryPressure = "node.kubernetes.io/memory-pressure";
    public const string PidPressure = "node.kubernetes.io/pid-pressure";
    public const string NetworkUnavailable = "node.kubernetes.io/network-unavailable";

    /// <summary>An empty effect tolerates every effect, an empty key with Exists every key, an empty operator is Equal.</summary>
    public static bool Tolerates(V1Toleration toleration, V1Taint taint)
    {
        if (!string.IsNullOrEmpty(toleration.Effect) && toleration.Effect != taint.Effect) return false;
        if (!string.IsNullOrEmpty(toleration.Key) && toleration.Key != taint.Key) return false;
        return toleration.OperatorProperty switch
        {
            null or "" or "Equal" => (toleration.Value ?? "") == (taint.Value ?? ""),
            "Exists" => true,
            _ => false,
        };
    }

    /// <summary>TolerationsTolerateTaint: any of the tolerations tolerates the taint.</summary>
    public static bool Tolerated(V1Taint taint, IEnumerable<V1Toleration>? tolerations)
    {
        foreach (var toleration in tolerations ?? []) if (Tolerates(toleration, taint)) return true;
        return false;
    }

    /// <summary>
    /// The taints with one of <paramref name="effects"/> that no toleration tolerates, in the node's order: the first
    /// is FindMatchingUntoleratedTaint's, whose inclusion filters are effects wherever Kubernetes calls it.
    /// </summary>
    public static IEnumerable<V1Taint> Untolerated(IEnumerable<V1Taint>? taints, IEnumerable<V1Toleration>? tolerations, params string[] effects) =>
        (taints ?? []).Where(t => effects.Contains(t.Effect) && !Tolerated(t, tolerations));

    /// <summary>
    /// As core/v1's Taint.ToString prints one: <c>key=value:Effect</c>; without a value <c>key:Effect</c>; without an
    /// effect <c>key=value:</c>, or just <c>key</c> when it has neither.
    /// </summary>
    public static string Describe(V1Taint taint) => (string.IsNullOrEmpty(taint.Value), string.IsNullOrEmpty(taint.Effect)) switch
    {
        (true, true) => taint.Key,
        (false, true) => $"{taint.Key}={taint.Value}:",
        (true, false) => $"{taint.Key}:{taint.Effect}",
        _ => $"{taint.Key}={taint.Value}:{taint.Effect}",
    };
}
