using System.Net;
using k8s;
using k8s.Autorest;
using k8s.LeaderElection;
using k8s.LeaderElection.ResourceLock;
using k8s.Models;

namespace KubeRescue.Lab.Components.Scheduler;

/// <summary>
/// The official client's LeaseLock, writing leaseDurationSeconds rounded up and at least 1: the elector writes the
/// lab-scaled duration truncated to whole seconds, which at high speeds is 0 (invalid) or shorter than the renew
/// deadline, while candidates judge expiry by the number in the Lease.
/// </summary>
sealed class SchedulerLeaseLock(IKubernetes client, string ns, string name, string identity, TimeSpan leaseDuration)
    : LeaseLock(client, ns, name, identity)
{
    readonly int _seconds = Math.Max(1, (int)Math.Ceiling(leaseDuration.TotalSeconds));

    protected override V1Lease SetLeaderElectionRecord(LeaderElectionRecord record, V1Lease metaObj)
    {
        var lease = base.SetLeaderElectionRecord(record, metaObj);
        lease.Spec.LeaseDurationSeconds = _seconds;
        return lease;
    }
}

static class LeaseRelease
{
    /// <summary>
    /// client-go's release() under ReleaseOnCancel, which the C# LeaderElector lacks: if we still hold the lease,
    /// clear holderIdentity and set a 1s duration so a candidate takes over at its next retry instead of after a
    /// full lease duration. A conflict means someone else already wrote it: nothing to release. The release is
    /// stamped with <paramref name="clock"/>, the process's.
    /// </summary>
    public static async Task<bool> ReleaseAsync(IKubernetes client, string ns, string name, string identity, TimeProvider clock, CancellationToken ct)
    {
        try
        {
            var lease = await client.CoordinationV1.ReadNamespacedLeaseAsync(name, ns, cancellationToken: ct);
            if (lease.Spec?.HolderIdentity != identity) return false;
            var now = clock.GetUtcNow().UtcDateTime;
            lease.Spec = new V1LeaseSpec
            {
                HolderIdentity = "",
                LeaseDurationSeconds = 1,
                AcquireTime = now,
                RenewTime = now,
                LeaseTransitions = lease.Spec.LeaseTransitions,
            };
            await client.CoordinationV1.ReplaceNamespacedLeaseAsync(lease, name, ns, cancellationToken: ct);
            return true;
        }
        catch (HttpOperationException e) when (e.Response.StatusCode is HttpStatusCode.Conflict or HttpStatusCode.NotFound)
        {
            return false;
        }
    }
}
