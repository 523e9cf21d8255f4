using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using KubeRescue.Diagnosis;
using KubeRescue.Kube;

namespace KubeRescue.Recovery;

/// <summary>
/// A Lease naming a process that provably no longer runs makes every candidate wait out its duration (15 s by
/// default): kube-controller-manager never releases its lease, and a deleted pod cannot. kube-rescue releases such a
/// lease, as client-go's release does, and says so; a holder it cannot prove gone is waited out.
/// </summary>
/// <remarks>
/// Expired is not enough: a candidate counts the duration from the moment it first saw the record as it is (client-go's
/// tryAcquireOrRenew compares its own observedTime, not renewTime), so a rescue pod that starts next to a long-expired
/// record that still names a holder waits a whole duration. Only a record with no holder is taken at once.
/// </remarks>
public static class StaleLeases
{
    /// <summary>Releases <paramref name="lease"/> if its holder, expired or not, names a pod that does not exist and no node; true if it did.</summary>
    public static async Task<bool> ReleaseIfHolderGoneAsync(RecoveryRun run, V1Lease lease, CancellationToken ct)
    {
        var record = LeaderRecord.FromLease(lease);
        if (record.HolderIdentity is null) return false;
        var (holder, host) = (record.HolderIdentity!, record.Hostname!);
        if (!await ProvablyGoneAsync(run.Client, lease.Metadata.NamespaceProperty, host, ct)) return false;
        var duration = lease.Spec.LeaseDurationSeconds ?? 15;
        var now = run.Now;
        lease.Spec.HolderIdentity = "";
        lease.Spec.LeaseDurationSeconds = 1;
        lease.Spec.AcquireTime = now;
        lease.Spec.RenewTime = now;
        try
        {
            // The resourceVersion read goes with it: if anyone wrote the lease since, the API server refuses (409).
            await run.Client.CoordinationV1.ReplaceNamespacedLeaseAsync(lease, lease.Metadata.Name, lease.Metadata.NamespaceProperty,
                fieldManager: RescueMetadata.FieldManager, cancellationToken: ct);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
        {
            return false;
        }
        run.Progress($"released Lease {lease.Metadata.NamespaceProperty}/{lease.Metadata.Name}: its holder {holder} no longer runs " +
            $"(no pod {host} exists), so a candidate takes over now instead of after up to {duration} s");
        return true;
    }

    /// <summary>Reads the component's Lease and releases it if its holder is gone.</summary>
    public static async Task ReleaseIfHolderGoneAsync(RecoveryRun run, ControlPlaneComponent component, CancellationToken ct)
    {
        if (await Reads.OrNullAsync(() => run.Client.CoordinationV1.ReadNamespacedLeaseAsync(component.LeaseName, component.Namespace, cancellationToken: ct)) is { } lease)
            await ReleaseIfHolderGoneAsync(run, lease, ct);
    }

    /// <summary>A pod's identity is its name (or its node's, with hostNetwork): gone when no pod and no node has that name (both read at once).</summary>
    static async Task<bool> ProvablyGoneAsync(IKubernetes client, string ns, string host, CancellationToken ct)
    {
        var pod = RescuePods.ReadAsync(client, ns, host, ct);
        var node = Reads.OrNullAsync(() => client.CoreV1.ReadNodeAsync(host, cancellationToken: ct));
        await Task.WhenAll(pod, node);
        return await pod is null && await node is null;
    }
}
