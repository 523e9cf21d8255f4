using k8s.Models;

namespace KubeRescue.Recovery;

/// <summary>
/// Who holds a leader-election Lease. Identities are <c>&lt;hostname&gt;_&lt;uuid&gt;</c> (old versions: the bare
/// hostname); a pod's hostname is its name, or its node's name with hostNetwork.
/// </summary>
public static class LeaseHolder
{
    public static string? Identity(V1Lease? lease) => lease?.Spec?.HolderIdentity is { Length: > 0 } h ? h : null;

    public static string Hostname(string identity) => identity.Split('_')[0];

    public static bool IsHeldBy(V1Lease? lease, V1Pod pod) =>
        Identity(lease) is { } id && (Hostname(id) == pod.Metadata.Name || (pod.Spec.HostNetwork == true && Hostname(id) == pod.Spec.NodeName));

    /// <summary>No renewal for the lease's duration, judged on this machine's clock as a candidate judges on its own.</summary>
    public static bool IsExpired(V1Lease lease, DateTime now) =>
        lease.Spec?.RenewTime is not { } renewed || renewed.ToUniversalTime().AddSeconds(lease.Spec.LeaseDurationSeconds ?? 15) < now;
}
