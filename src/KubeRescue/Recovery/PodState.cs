using k8s.Models;

namespace KubeRescue.Recovery;

/// <summary>What a pod's status says, in the terms a recovery decides on.</summary>
public static class PodState
{
    public static bool IsTerminating(V1Pod pod) => pod.Metadata.DeletionTimestamp is not null;

    public static bool IsReady(V1Pod pod) =>
        pod.Status?.Phase == "Running" && pod.Status.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true;

    public static int Restarts(V1Pod pod) => pod.Status?.ContainerStatuses?.Sum(s => s.RestartCount) ?? 0;

    /// <summary>The kubelet rejected it at admission (phase Failed, reason the predicate), or it ended: it will not run again.</summary>
    public static string? Rejection(V1Pod pod) => pod.Status?.Phase == "Failed"
        ? $"{pod.Status.Reason ?? "Failed"}: {pod.Status.Message ?? "the pod failed"}"
        : null;

    /// <summary>A container crashed: it is in CrashLoopBackOff, or has restarted after a non-zero exit.</summary>
    public static string? Crash(V1Pod pod)
    {
        foreach (var s in pod.Status?.ContainerStatuses ?? [])
        {
            var last = s.LastState?.Terminated;
            if (s.State?.Waiting?.Reason == "CrashLoopBackOff" || (s.RestartCount > 0 && last is { ExitCode: not 0 }))
                return $"container {s.Name} crashes ({(last is null ? s.State?.Waiting?.Reason : $"exit code {last.ExitCode}, {last.Reason}")}, {s.RestartCount} restarts)";
            if (s.State?.Terminated is { ExitCode: not 0 } t)
                return $"container {s.Name} exited with code {t.ExitCode} ({t.Reason})";
        }
        return null;
    }
}

/// <summary>
/// Ready, and stayed so: a pod counts as started once it has been Ready, with the same restart count, for
/// <c>minReady</c> as measured on the run's clock, this machine's (not the kubelet's timestamps, which another clock wrote).
/// One tracker serves a whole run, fed by every step that looks at a pod and by the run's own observation of the
/// plan's pods, so that a pod's window starts when it became Ready, not when a later step first looked.
/// </summary>
public sealed class ReadinessTracker(TimeSpan minReady, TimeProvider clock)
{
    static readonly TimeSpan MaxRecheck = TimeSpan.FromSeconds(1);

    readonly Dictionary<string, (int Restarts, DateTime Since)> _ready = new(StringComparer.Ordinal);
    readonly Lock _gate = new();

    public bool IsStable(V1Pod pod)
    {
        var uid = pod.Metadata.Uid;
        var now = clock.GetUtcNow().UtcDateTime;
        lock (_gate)
        {
            if (!PodState.IsReady(pod) || PodState.IsTerminating(pod) || PodState.Crash(pod) is not null)
            {
                _ready.Remove(uid);
                return false;
            }
            var restarts = PodState.Restarts(pod);
            if (!_ready.TryGetValue(uid, out var seen) || seen.Restarts != restarts) _ready[uid] = seen = (restarts, now);
            return now - seen.Since >= minReady;
        }
    }

    /// <summary>
    /// How long until the next pod seen Ready would count as stable (at most a second): the caller re-judges then,
    /// not on a coarser tick that would add up to a second to every wait.
    /// </summary>
    public TimeSpan Recheck
    {
        get
        {
            var now = clock.GetUtcNow().UtcDateTime;
            lock (_gate)
            {
                var next = MaxRecheck;
                foreach (var (_, since) in _ready.Values)
                {
                    var due = since + minReady - now;
                    if (due > TimeSpan.Zero && due < next) next = due;
                }
                return next;
            }
        }
    }
}
