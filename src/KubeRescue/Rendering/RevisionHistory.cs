using k8s.Models;

namespace KubeRescue.Rendering;

/// <summary>What the API shows about one of a Deployment's revisions: whether it is known to have worked or to crash, and why.</summary>
public sealed record RevisionEvidence(long Revision, V1ReplicaSet ReplicaSet, bool KnownGood, bool KnownBad, IReadOnlyList<string> Evidence)
{
    public string Verdict => KnownBad ? "bad" : KnownGood ? "good" : "unknown";

    public override string ToString() =>
        Evidence.Count == 0 ? $"revision {Revision} is {Verdict} (no evidence either way)" : $"revision {Revision} is {Verdict}: {string.Join("; ", Evidence)}";
}

/// <summary>
/// Which of a Deployment's revisions worked. The API keeps no readiness history, so this reads the evidence there is
/// (docs/render.md): a revision is known bad when one of its pods has a container that crashed (waiting in
/// CrashLoopBackOff or Error, terminated non-zero, or restarted after a non-zero exit and not Ready again); known good
/// when it is not known bad and its ReplicaSet counts ready or available replicas, or one of its pods is Ready now.
/// </summary>
public static class RevisionHistory
{
    /// <summary>Each ReplicaSet that carries a revision number, newest first, with the evidence from its status and the pods it controls.</summary>
    public static IReadOnlyList<RevisionEvidence> Classify(IEnumerable<V1ReplicaSet> replicaSets, IEnumerable<V1Pod> pods)
    {
        var podList = pods.ToList();
        var result = new List<RevisionEvidence>();
        foreach (var rs in replicaSets)
        {
            if (KubeObjects.Revision(rs.Metadata) is not { } revision) continue;
            var own = podList.Where(p => KubeObjects.IsControlledBy(p.Metadata, rs.Metadata.Uid)).OrderBy(p => p.Metadata.Name, StringComparer.Ordinal).ToList();
            var bad = own.SelectMany(Crashes).ToList();
            var good = new List<string>();
            // The status may be stale (its controller is what is broken), but a count above zero was true once.
            var (ready, available) = (rs.Status?.ReadyReplicas ?? 0, rs.Status?.AvailableReplicas ?? 0);
            if (ready > 0 || available > 0) good.Add($"ReplicaSet {rs.Metadata.Name} counts {ready} ready, {available} available");
            good.AddRange(own.Where(IsReady).Select(p => $"pod {p.Metadata.Name} is Ready"));
            result.Add(new RevisionEvidence(revision, rs, KnownGood: good.Count > 0 && bad.Count == 0, KnownBad: bad.Count > 0, bad.Count > 0 ? bad : good));
        }
        return [.. result.OrderByDescending(r => r.Revision)];
    }

    /// <summary>
    /// The newest known-good revision; else the newest revision, not itself known bad, older than a known-bad one
    /// (a rollout went through it to the bad one); else null.
    /// </summary>
    public static RevisionEvidence? LastGood(IReadOnlyList<RevisionEvidence> revisions)
    {
        var newestFirst = revisions.OrderByDescending(r => r.Revision).ToList();
        if (newestFirst.FirstOrDefault(r => r.KnownGood && !r.KnownBad) is { } good) return good;
        var newestBad = newestFirst.FirstOrDefault(r => r.KnownBad);
        return newestBad is null ? null : newestFirst.FirstOrDefault(r => r.Revision < newestBad.Revision && !r.KnownBad);
    }

    static bool IsReady(V1Pod pod) =>
        pod.Metadata.DeletionTimestamp is null && (pod.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") ?? false);

    /// <summary>Each container of the pod that crashed, described.</summary>
    static IEnumerable<string> Crashes(V1Pod pod)
    {
        foreach (var s in (pod.Status?.InitContainerStatuses ?? []).Concat(pod.Status?.ContainerStatuses ?? []))
        {
            var where = $"pod {pod.Metadata.Name} container {s.Name}";
            if (s.State?.Waiting?.Reason is "CrashLoopBackOff" or "Error")
                yield return $"{where} waiting in {s.State.Waiting.Reason}{LastExit(s)}";
            else if (s.State?.Terminated is { ExitCode: not 0 } t)
                yield return $"{where} exited {t.ExitCode}{(string.IsNullOrEmpty(t.Reason) ? "" : $" ({t.Reason})")}";
            // A container Ready again after a failed run is not crashing: the scheduler and controller-manager exit 1
            // whenever they lose their lease, so a healthy revision's pods often carry such a restart.
            else if (s.RestartCount > 0 && s.LastState?.Terminated is { ExitCode: not 0 } && s.Ready != true)
                yield return $"{where} restarted {s.RestartCount} times{LastExit(s)}";
        }
    }

    static string LastExit(V1ContainerStatus s) =>
        s.LastState?.Terminated is { } t ? $", last exit {t.ExitCode}{(string.IsNullOrEmpty(t.Reason) ? "" : $" ({t.Reason})")}" : "";
}
