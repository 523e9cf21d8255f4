using KubeRescue.Lab.Components.ControllerManager.Support;
using System.Globalization;
using k8s.Models;

namespace KubeRescue.Lab.Components.ControllerManager.Workloads;

/// <summary>pkg/controller/deployment/util: annotations, surge and unavailability fenceposts, conditions, sums.</summary>
static class DeploymentUtil
{
    public const string RevisionAnnotation = "deployment.kubernetes.io/revision";
    public const string RevisionHistoryAnnotation = "deployment.kubernetes.io/revision-history";
    public const string DesiredReplicasAnnotation = "deployment.kubernetes.io/desired-replicas";
    public const string MaxReplicasAnnotation = "deployment.kubernetes.io/max-replicas";
    const int MaxRevisionHistoryLengthInChars = 2000;

    // Condition reasons.
    public const string ReplicaSetUpdatedReason = "ReplicaSetUpdated";
    public const string FailedRSCreateReason = "ReplicaSetCreateError";
    public const string NewReplicaSetReason = "NewReplicaSetCreated";
    public const string FoundNewRSReason = "FoundNewReplicaSet";
    public const string NewRSAvailableReason = "NewReplicaSetAvailable";
    public const string TimedOutReason = "ProgressDeadlineExceeded";
    public const string PausedDeployReason = "DeploymentPaused";
    public const string ResumedDeployReason = "DeploymentResumed";
    public const string MinimumReplicasAvailable = "MinimumReplicasAvailable";
    public const string MinimumReplicasUnavailable = "MinimumReplicasUnavailable";

    static readonly HashSet<string> AnnotationsToSkip =
    [
        "kubectl.kubernetes.io/last-applied-configuration",
        RevisionAnnotation, RevisionHistoryAnnotation, DesiredReplicasAnnotation, MaxReplicasAnnotation,
        "deprecated.deployment.rollback.to",
    ];

    public static int Replicas(V1Deployment d) => d.Spec.Replicas ?? 1;

    public static int Replicas(V1ReplicaSet? rs) => rs?.Spec.Replicas ?? 0;

    public static bool IsRollingUpdate(V1Deployment d) => d.Spec.Strategy?.Type is null or "RollingUpdate";

    public static bool HasProgressDeadline(V1Deployment d) => d.Spec.ProgressDeadlineSeconds is { } s && s != int.MaxValue;

    public static long Revision(V1ObjectMeta meta) =>
        meta.Annotations?.TryGetValue(RevisionAnnotation, out var v) == true && long.TryParse(v, out var r) ? r : 0;

    public static long MaxRevision(IEnumerable<V1ReplicaSet> replicaSets) => replicaSets.Select(rs => Revision(rs.Metadata)).DefaultIfEmpty(0).Max();

    /// <summary>intstr.GetScaledValueFromIntOrPercent.</summary>
    static int Scaled(IntOrString? value, int total, bool roundUp)
    {
        var s = value?.Value;
        if (string.IsNullOrEmpty(s)) return 0;
        if (!s.EndsWith('%')) return int.Parse(s, CultureInfo.InvariantCulture);
        var percent = double.Parse(s[..^1], CultureInfo.InvariantCulture);
        var scaled = percent * total / 100;
        return (int)(roundUp ? Math.Ceiling(scaled) : Math.Floor(scaled));
    }

    /// <summary>ResolveFenceposts: surge rounds up, unavailability down; both zero means one may be unavailable.</summary>
    static (int Surge, int Unavailable) Fenceposts(V1Deployment d)
    {
        var rolling = d.Spec.Strategy?.RollingUpdate;
        var desired = Replicas(d);
        var surge = Scaled(rolling?.MaxSurge ?? "25%", desired, roundUp: true);
        var unavailable = Scaled(rolling?.MaxUnavailable ?? "25%", desired, roundUp: false);
        return (surge, surge == 0 && unavailable == 0 ? 1 : unavailable);
    }

    public static int MaxSurge(V1Deployment d) => IsRollingUpdate(d) ? Fenceposts(d).Surge : 0;

    public static int MaxUnavailable(V1Deployment d)
    {
        if (!IsRollingUpdate(d) || Replicas(d) == 0) return 0;
        return Math.Min(Fenceposts(d).Unavailable, Replicas(d));
    }

    public static int SumReplicas(IEnumerable<V1ReplicaSet?> rss) => rss.Sum(Replicas);
    public static int SumActual(IEnumerable<V1ReplicaSet?> rss) => rss.Sum(rs => rs?.Status?.Replicas ?? 0);
    public static int SumReady(IEnumerable<V1ReplicaSet?> rss) => rss.Sum(rs => rs?.Status?.ReadyReplicas ?? 0);
    public static int SumAvailable(IEnumerable<V1ReplicaSet?> rss) => rss.Sum(rs => rs?.Status?.AvailableReplicas ?? 0);

    public static List<V1ReplicaSet> Active(IEnumerable<V1ReplicaSet?> rss) => rss.Where(rs => rs is not null && Replicas(rs) > 0).ToList()!;

    /// <summary>controller.ReplicaSetsByCreationTimestamp: oldest first, then by name.</summary>
    public static List<V1ReplicaSet> ByCreation(IEnumerable<V1ReplicaSet> rss) =>
        rss.OrderBy(rs => rs.Metadata.CreationTimestamp ?? DateTime.MinValue).ThenBy(rs => rs.Metadata.Name, StringComparer.Ordinal).ToList();

    /// <summary>FindNewReplicaSet: the oldest ReplicaSet whose template equals the Deployment's, ignoring the hash label.</summary>
    public static V1ReplicaSet? FindNew(V1Deployment d, IEnumerable<V1ReplicaSet> rss) =>
        ByCreation(rss).FirstOrDefault(rs => TemplateHash.EqualIgnoreHash(rs.Spec.Template, d.Spec.Template));

    /// <summary>NewRSNewReplicas: how big the new ReplicaSet may be now.</summary>
    public static int NewRSNewReplicas(V1Deployment d, IEnumerable<V1ReplicaSet?> all, V1ReplicaSet newRS)
    {
        if (!IsRollingUpdate(d)) return Replicas(d);
        var maxTotal = Replicas(d) + MaxSurge(d);
        var current = SumReplicas(all);
        if (current >= maxTotal) return Replicas(newRS);
        var scaleUp = Math.Min(maxTotal - current, Replicas(d) - Replicas(newRS));
        return Replicas(newRS) + scaleUp;
    }

    /// <summary>IsSaturated: the new ReplicaSet has all the Deployment's replicas, all available.</summary>
    public static bool IsSaturated(V1Deployment d, V1ReplicaSet? rs) =>
        rs is not null && DesiredAnnotation(rs) == Replicas(d) && Replicas(rs) == Replicas(d) && rs.Status?.AvailableReplicas == Replicas(d);

    public static int? DesiredAnnotation(V1ReplicaSet rs) => IntAnnotation(rs, DesiredReplicasAnnotation);

    static int? IntAnnotation(V1ReplicaSet rs, string key) =>
        rs.Metadata.Annotations?.TryGetValue(key, out var v) == true && int.TryParse(v, out var i) ? i : null;

    /// <summary>SetReplicasAnnotations: desired-replicas and max-replicas; true when changed.</summary>
    public static bool SetReplicasAnnotations(V1ReplicaSet rs, int desired, int max)
    {
        rs.Metadata.Annotations ??= new Dictionary<string, string>();
        var changed = false;
        foreach (var (key, value) in new[] { (DesiredReplicasAnnotation, desired), (MaxReplicasAnnotation, max) })
        {
            var text = value.ToString(CultureInfo.InvariantCulture);
            if (rs.Metadata.Annotations.TryGetValue(key, out var old) && old == text) continue;
            rs.Metadata.Annotations[key] = text;
            changed = true;
        }
        return changed;
    }

    /// <summary>
    /// SetNewReplicaSetAnnotations: copy the Deployment's own annotations, raise the revision to newRevision when it
    /// is lower (remembering the old one in revision-history: a rollback), and on creation the replica annotations.
    /// </summary>
    public static bool SetNewReplicaSetAnnotations(V1Deployment d, V1ReplicaSet rs, long newRevision, bool exists)
    {
        rs.Metadata.Annotations ??= new Dictionary<string, string>();
        var annotations = rs.Metadata.Annotations;
        var changed = false;
        foreach (var (k, v) in d.Metadata.Annotations ?? new Dictionary<string, string>())
        {
            if (AnnotationsToSkip.Contains(k) || (annotations.TryGetValue(k, out var old) && old == v)) continue;
            annotations[k] = v;
            changed = true;
        }
        var hasRevision = annotations.TryGetValue(RevisionAnnotation, out var oldRevisionText);
        long oldRevision = 0;
        if (hasRevision && !long.TryParse(oldRevisionText, out oldRevision)) return false;
        if (oldRevision < newRevision)
        {
            annotations[RevisionAnnotation] = newRevision.ToString(CultureInfo.InvariantCulture);
            changed = true;
            if (hasRevision)
            {
                var history = annotations.TryGetValue(RevisionHistoryAnnotation, out var h) ? h : "";
                var revisions = history.Length == 0 ? [] : history.Split(',').ToList();
                revisions.Add(oldRevisionText!);
                while (string.Join(",", revisions).Length > MaxRevisionHistoryLengthInChars && revisions.Count > 1) revisions.RemoveAt(0);
                annotations[RevisionHistoryAnnotation] = string.Join(",", revisions);
            }
        }
        if (!exists && SetReplicasAnnotations(rs, Replicas(d), Replicas(d) + MaxSurge(d))) changed = true;
        return changed;
    }

    public static bool SetDeploymentRevision(V1Deployment d, string revision)
    {
        d.Metadata.Annotations ??= new Dictionary<string, string>();
        if (d.Metadata.Annotations.TryGetValue(RevisionAnnotation, out var old) && old == revision) return false;
        d.Metadata.Annotations[RevisionAnnotation] = revision;
        return true;
    }

    /// <summary>GetProportion: this ReplicaSet's share of a scaling event in the middle of a rollout.</summary>
    public static int Proportion(V1ReplicaSet rs, V1Deployment d, int toAdd, int added)
    {
        if (Replicas(rs) == 0 || toAdd == 0 || toAdd == added) return 0;
        var fraction = Fraction(rs, d);
        var allowed = toAdd - added;
        return toAdd > 0 ? Math.Min(fraction, allowed) : Math.Max(fraction, allowed);
    }

    static int Fraction(V1ReplicaSet rs, V1Deployment d)
    {
        if (Replicas(d) == 0) return -Replicas(rs);
        var deploymentReplicas = Replicas(d) + MaxSurge(d);
        var annotated = IntAnnotation(rs, MaxReplicasAnnotation) ?? d.Status?.Replicas ?? 0;
        if (annotated == 0) return 0;
        var size = (double)Replicas(rs) * deploymentReplicas / annotated;
        return (int)Math.Round(size, MidpointRounding.AwayFromZero) - Replicas(rs);
    }

    public static V1DeploymentCondition? GetCondition(V1DeploymentStatus? status, string type) => status?.Conditions?.FirstOrDefault(c => c.Type == type);

    /// <param name="now">the controller's <see cref="Objects.Now"/></param>
    public static V1DeploymentCondition NewCondition(string type, string status, string reason, string message, DateTime now) => new V1DeploymentCondition { Type = type, Status = status, Reason = reason, Message = message, LastUpdateTime = now, LastTransitionTime = now };

    /// <summary>SetDeploymentCondition: same status and reason is no change; same status keeps its transition time.</summary>
    public static void SetCondition(V1DeploymentStatus status, V1DeploymentCondition condition)
    {
        var current = GetCondition(status, condition.Type);
        if (current is not null && current.Status == condition.Status && current.Reason == condition.Reason) return;
        if (current is not null && current.Status == condition.Status) condition.LastTransitionTime = current.LastTransitionTime;
        status.Conditions = [.. (status.Conditions ?? []).Where(c => c.Type != condition.Type), condition];
    }

    public static void RemoveCondition(V1DeploymentStatus status, string type)
    {
        if (status.Conditions is null) return;
        status.Conditions = status.Conditions.Where(c => c.Type != type).ToList();
    }

    /// <summary>DeploymentComplete: every desired replica updated and available, no old ones, generation observed.</summary>
    public static bool IsComplete(V1Deployment d, V1DeploymentStatus s) =>
        s.UpdatedReplicas == Replicas(d) && s.Replicas == Replicas(d) && s.AvailableReplicas == Replicas(d) && s.ObservedGeneration >= d.Metadata.Generation;

    /// <summary>DeploymentProgressing: more updated, ready or available pods, or fewer old ones, than last observed.</summary>
    public static bool IsProgressing(V1Deployment d, V1DeploymentStatus s)
    {
        var old = d.Status ?? new V1DeploymentStatus();
        var oldOld = (old.Replicas ?? 0) - (old.UpdatedReplicas ?? 0);
        var newOld = (s.Replicas ?? 0) - (s.UpdatedReplicas ?? 0);
        return (s.UpdatedReplicas ?? 0) > (old.UpdatedReplicas ?? 0) || newOld < oldOld
            || (s.ReadyReplicas ?? 0) > (old.ReadyReplicas ?? 0) || (s.AvailableReplicas ?? 0) > (old.AvailableReplicas ?? 0);
    }
}
