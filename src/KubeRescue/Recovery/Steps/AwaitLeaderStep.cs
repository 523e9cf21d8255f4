using KubeRescue.Diagnosis;
using KubeRescue.Kube;
using KubeRescue.Kubernetes.Client;
using k8s.Models;

namespace KubeRescue.Recovery;

/// <summary>
/// Waits until the component's Lease is held, and renewed, by a Ready permanent pod. The rescue pod held it until it
/// went; kube-scheduler releases its lease when stopped, kube-controller-manager does not (field guide §3), so its
/// successors would wait out the lease duration. A holder that provably no longer runs (its identity names a pod
/// that does not exist) has its lease cleared, as a release would, so a candidate takes over at its next retry.
/// </summary>
public sealed class AwaitLeaderStep(ComponentPlan plan) : IRecoveryStep
{
    public string Name => "await-leader";
    public ControlPlaneComponent? Component => plan.Component;
    public string Description => $"wait until Lease {plan.Component.Namespace}/{plan.Component.LeaseName} is held by a pod of {plan.Workload.Description}";

    abstract record Decision;
    sealed record Led(string Outcome) : Decision;
    sealed record Suspect(V1Lease Lease, string Holder) : Decision;

    public async Task<string> RunAsync(RecoveryRun run, CancellationToken ct)
    {
        var (w, component) = (plan.Workload, plan.Component);
        if (await ControlPlaneDiagnoser.ReadLeaderAsync(run.Client, component, ct) is { Source: not "Lease" } legacy)
            return await AwaitLegacyAsync(run, legacy.Source, ct);
        var signal = new ChangeSignal();
        await using var lease = signal.Follow(Informers.Lease(run.Client, component.Namespace, component.LeaseName, run.Watches));
        await using var pods = signal.Follow(Informers.Pods(run.Client, w.Namespace, labelSelector: w.Selector, options: run.Watches));
        var judged = new HashSet<string>(StringComparer.Ordinal);
        var cleared = "";
        while (true)
        {
            var decision = await Waits.UntilAsync<Decision>(signal, () =>
            {
                if (!lease.IsSynced || !pods.IsSynced) return null;
                var l = lease.Items.FirstOrDefault();
                if (l is null || LeaderRecord.FromLease(l) is not { } record || !record.HeldAt(run.Now)) return null;
                var holder = record.HolderIdentity!;
                var leader = pods.Items.FirstOrDefault(p => Workload.IsPermanent(p) && PodState.IsReady(p) && !PodState.IsTerminating(p) && record.Names(p));
                if (leader is not null) return new Led($"held by {holder} (pod {leader.Metadata.Name} on {leader.Spec.NodeName}){cleared}");
                return judged.Add(holder) ? new Suspect(l, holder) : null;
            }, run.Deadline, run.Clock, $"a pod of {w.Description} to lead", () => Describe(lease.Items.FirstOrDefault()), ct);

            if (decision is Led led) return led.Outcome;
            var suspect = (Suspect)decision;
            if (await StaleLeases.ReleaseIfHolderGoneAsync(run, suspect.Lease, ct))
                cleared = $"; kube-rescue released the lease of {suspect.Holder}, which no longer ran";
        }
    }

    /// <summary>
    /// Clusters older than Lease locks keep the record in an annotation of an Endpoints or ConfigMap: re-read it as the
    /// pods change and at least every second. Such a record is never released by kube-rescue; its expiry is waited out.
    /// </summary>
    async Task<string> AwaitLegacyAsync(RecoveryRun run, string source, CancellationToken ct)
    {
        var (w, component) = (plan.Workload, plan.Component);
        var signal = new ChangeSignal();
        await using var pods = signal.Follow(Informers.Pods(run.Client, w.Namespace, labelSelector: w.Selector, options: run.Watches));
        LeaderRecord? record = null;
        while (true)
        {
            record = await ControlPlaneDiagnoser.ReadLeaderAsync(run.Client, component, ct);
            if (record is not null && record.HeldAt(run.Now) && pods.IsSynced)
            {
                var holder = record.HolderIdentity!;
                var leader = pods.Items.FirstOrDefault(p => Workload.IsPermanent(p) && PodState.IsReady(p) && !PodState.IsTerminating(p) && record.Names(p));
                if (leader is not null) return $"held by {holder} (pod {leader.Metadata.Name} on {leader.Spec.NodeName}, {source} lock)";
            }
            if (run.Now >= run.Deadline)
                throw new WaitTimeoutException($"timed out waiting for a pod of {w.Description} to lead: the {source} lock's holder is {record?.HolderIdentity ?? "none"}");
            await signal.WaitAsync(TimeSpan.FromSeconds(1), run.Clock, ct);
        }
    }

    static string Describe(V1Lease? lease) => lease is null
        ? "there is no Lease"
        : $"holder {(LeaderRecord.FromLease(lease).HolderIdentity ?? "none")}, renewed {lease.Spec.RenewTime:O}, duration {lease.Spec.LeaseDurationSeconds} s";
}
