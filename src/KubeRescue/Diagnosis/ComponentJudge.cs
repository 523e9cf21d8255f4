using System.Globalization;
using KubeRescue.Kubernetes.Text;

namespace KubeRescue.Diagnosis;

/// <summary>
/// A component's verdict, summary and next step from its evidence: a pure function, so every rule is testable on
/// constructed evidence. It trusts pods and the lease, never the workload's own status.
/// </summary>
public static class ComponentJudge
{
    /// <summary>client-go's and the components' default leaseDuration, for a component that has no record.</summary>
    public const int DefaultLeaseDurationSeconds = 15;

    public static ComponentStatus Diagnose(ComponentReading reading, DateTime now) => Judge(ComponentEvidence.From(reading, now));

    public static ComponentStatus Judge(ComponentEvidence e)
    {
        var c = e.Component;
        var live = e.Pods.Where(p => p.Live).ToList();
        var ready = live.Count(p => !p.IsRescue);
        var crashing = e.Pods.Where(p => p.CrashLooping && !p.Terminating).ToList();
        var unplaced = e.Pods.Where(p => p.Node is null && p.Phase == "Pending" && !p.Terminating).ToList();
        var shortSets = e.ReplicaSets.Where(rs => rs.Desired > rs.Actual).ToList();
        var rescues = e.Pods.Where(p => p.IsRescue && !p.Terminating).ToList();
        var lease = e.Lease;
        var workload = e.Workload;

        var lastGood = LastGoodWouldHeal(e, crashing);
        var evidence = new List<string>();
        if (crashing.Count > 0)
            evidence.Add("crash-looping: " + string.Join(", ", crashing.Select(p => $"{p.Name}{On(p.Node)} ({p.Reason}, {Count(p.Restarts, "restart")})"))
                + (lastGood ? $" at revision {workload!.Revision}, the current one, while an older revision exists" : ""));
        if (unplaced.Count > 0)
            evidence.Add($"{Count(unplaced.Count, "pod")} Pending with no node" + (live.Count > 0 ? "" : c == ControlPlaneComponent.Scheduler
                ? ": nothing schedules them, as only a running scheduler places its successors"
                : ", waiting for a scheduler"));
        if (e.Pending is { Count: > 0 } or { More: true })
            evidence.Add($"{e.Pending.Count}{(e.Pending.More ? "+" : "")} pods in the cluster " + (live.Count > 0 ? "are Pending with no node" : "wait for a scheduler")
                + (e.Pending.OldestPod is { } oldest ? $", the oldest ({oldest}) for {HumanDuration.Format(TimeSpan.FromSeconds(e.Pending.OldestAgeSeconds))}" : ""));
        foreach (var rs in shortSets)
            evidence.Add($"ReplicaSet {rs.Name} has {rs.Actual} of {Count(rs.Desired, "pod")}" + (e.ControllerManagerLeads ? ""
                : c == ControlPlaneComponent.ControllerManager ? " and nothing creates them: creating them is the controller-manager's own job"
                : " and nothing creates them: no controller-manager leads"));
        var others = e.Pods.Except(live).Except(crashing).Except(unplaced).ToList();
        if (others.Count > 0)
            evidence.Add("not live: " + string.Join(", ", others.Select(p => $"{p.Name}{On(p.Node)} ({p.Reason ?? (p.Ready ? p.Phase : $"{p.Phase}, not ready")})")));
        if (workload is { ReportedAvailable: { } reported } && reported != workload.ReadyPods)
            evidence.Add($"the {workload.Kind} reports {reported} available, its pods say {workload.ReadyPods}");

        ComponentStatus Status(Verdict verdict, string headline, string next) =>
            new(c.Name, verdict, string.Join("; ", [headline, .. evidence, LeaseText(lease, c)]), workload, e.Pods, lease, e.Pending, shortSets, next);

        var readyText = $"{ready}/{workload?.Desired ?? 0} pods ready";
        if (live.Count == 0)
        {
            var headline = workload switch
            {
                null => $"no Deployment, DaemonSet or static pod {c.Name} in {c.Namespace}",
                { Desired: 0, Kind: "DaemonSet" } => $"DaemonSet {workload.Name} matches no node",
                { Desired: 0 } => $"{workload.Kind} {workload.Name} is scaled to 0",
                _ when e.Pods.Count == 0 && shortSets.Count == 0 => $"no pod of {workload.Kind} {workload.Name}",
                _ => $"no live pod ({readyText})",
            };
            var next = workload switch
            {
                null => $"find how {c.Name} is deployed: there is no workload to copy a rescue pod from",
                { Desired: 0, Kind: "DaemonSet" } => $"check DaemonSet {workload.Name}'s nodeSelector against the masters' labels",
                { Desired: 0, Kind: "Deployment" } => $"kubectl -n {c.Namespace} scale deployment/{workload.Name} --replicas=2",
                _ when lastGood => $"kube-rescue recover {c.Key} --source last-good",
                _ => $"kube-rescue recover {c.Key}",
            };
            return Status(Verdict.Down, headline, next);
        }

        if (lease is { Held: true, HolderIsLivePod: true, HolderIsRescue: true })
            return Status(Verdict.Degraded, $"the rescue pod {lease.HolderPod} leads: a recovery is in progress ({readyText})",
                $"let the running recovery finish, or resume it: kube-rescue recover {c.Key}");

        if (lease is { Held: true, HolderIsLivePod: true })
        {
            var headline = $"{readyText}, {lease.HolderPod} leads";
            if (ready >= (workload?.Desired ?? 0) && crashing.Count == 0 && rescues.Count == 0)
                return Status(Verdict.Healthy, headline, "none");
            if (rescues.Count > 0) evidence.Insert(0, $"rescue pod {rescues[0].Name} is still there");
            var next = rescues.Count > 0 ? $"finish the recovery, which removes the rescue pod: kube-rescue recover {c.Key}"
                : crashing.Count > 0 ? $"find why it crashes: kubectl -n {c.Namespace} logs {crashing[0].Name} --previous"
                : unplaced.Count > 0 && c != ControlPlaneComponent.Scheduler ? "its pods wait for a scheduler: see kube-scheduler"
                : shortSets.Count > 0 && !e.ControllerManagerLeads ? "its pods wait for the controller-manager: see kube-controller-manager"
                : e.Pods.FirstOrDefault(p => !p.Live && !p.IsRescue) is { } notLive ? $"kubectl -n {c.Namespace} describe pod {notLive.Name}"
                : $"wait: its missing pods are being created and started";
            return Status(Verdict.Degraded, headline, next);
        }

        // Live pods but no live leader: a hand-over, unless the lease has stayed free for longer than candidates need.
        // A candidate takes over once it has seen no renewal for a lease duration (field guide §3), so a lease expired
        // for two more durations with live candidates is stuck, not changing hands.
        var duration = lease?.DurationSeconds ?? DefaultLeaseDurationSeconds;
        var handingOver = lease is { Holder: not null, Expired: false } || (lease is { SecondsSinceRenewal: { } since } && since - duration <= 2.0 * duration);
        return handingOver
            ? Status(Verdict.Degraded, $"no leader while {Count(live.Count, "live pod")} can take over: a hand-over is in progress ({readyText})",
                $"wait: the hand-over resolves within the lease duration ({HumanDuration.Format(TimeSpan.FromSeconds(duration))}); then run kube-rescue status again")
            : Status(Verdict.Degraded, $"no leader though {Count(live.Count, "live pod")} could take over: leader election is stuck ({readyText})",
                $"find why none takes the lease: kubectl -n {c.Namespace} logs {live[0].Name}");
    }

    /// <summary>
    /// The pods crash at the Deployment's current revision, and an older revision exists: the template itself is
    /// bad, and a rescue pod copied from it would crash too.
    /// </summary>
    static bool LastGoodWouldHeal(ComponentEvidence e, IReadOnlyList<PodEvidence> crashing) =>
        crashing.Count > 0 && e.Workload is { Kind: "Deployment", Revision: { } revision } && int.TryParse(revision, CultureInfo.InvariantCulture, out var current)
        && crashing.All(p => p.Revision == revision)
        && e.ReplicaSets.Any(rs => int.TryParse(rs.Revision, CultureInfo.InvariantCulture, out var older) && older < current);

    /// <summary>The lease as a phrase for the summary.</summary>
    static string LeaseText(LeaseEvidence? lease, ControlPlaneComponent c)
    {
        if (lease is null) return $"no leader-election record (Lease, Endpoints or ConfigMap {c.Namespace}/{c.LeaseName})";
        var since = lease.SecondsSinceRenewal is { } s ? HumanDuration.Format(TimeSpan.FromSeconds(s)) : "never";
        var of = lease.DurationSeconds is { } d ? $" of {HumanDuration.Format(TimeSpan.FromSeconds(d))}" : "";
        var holder = lease.HolderPod ?? lease.Holder;
        return lease switch
        {
            { Holder: null } => $"lease released ({since} ago)",
            { Held: true, HolderIsLivePod: true } => $"lease held by {holder}, renewed {since} ago{of}",
            { Held: true } => $"lease held by {holder}, which is not a live pod, renewed {since} ago{of}",
            { SecondsSinceRenewal: { } ago, DurationSeconds: { } duration } => $"lease of {holder} expired {HumanDuration.Format(TimeSpan.FromSeconds(ago - duration))} ago",
            _ => $"lease of {holder} has no renewal time or duration",
        };
    }

    static string On(string? node) => node is null ? "" : $" on {node}";

    static string Count(int n, string noun) => n == 1 ? $"1 {noun}" : $"{n.ToString(CultureInfo.InvariantCulture)} {noun}s";
}
