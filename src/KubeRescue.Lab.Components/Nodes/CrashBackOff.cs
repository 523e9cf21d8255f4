namespace KubeRescue.Lab.Components.Nodes;

/// <summary>
/// The kubelet's crash back-off (flowcontrol.Backoff, one entry per pod UID and container): a restart makes the next
/// one wait 10 s, then twice as long each time up to 300 s, and an entry idle for twice the maximum starts over.
/// Durations are real ones scaled by the lab's timing; the time is the kubelet's clock.
/// </summary>
internal sealed class CrashBackOff(LabTiming timing, TimeProvider clock)
{
    static readonly TimeSpan Initial = TimeSpan.FromSeconds(10);
    static readonly TimeSpan Max = TimeSpan.FromSeconds(300);

    readonly Dictionary<string, (TimeSpan BackOff, DateTime LastUpdate)> _entries = new(StringComparer.Ordinal);
    readonly Lock _gate = new();

    /// <summary>
    /// IsInBackOffSince: in back-off while less than the current delay has passed since the container finished.
    /// <paramref name="backOff"/> is the delay (real time, as the kubelet's message names it), <paramref name="remaining"/>
    /// the lab time left.
    /// </summary>
    public bool InBackOff(string key, DateTime finishedAt, out TimeSpan backOff, out TimeSpan remaining)
    {
        lock (_gate)
        {
            backOff = remaining = TimeSpan.Zero;
            if (!_entries.TryGetValue(key, out var entry)) return false;
            if (finishedAt - entry.LastUpdate > timing.Of(Max * 2)) return false;
            var elapsed = clock.GetUtcNow().UtcDateTime - finishedAt;
            var scaled = timing.Of(entry.BackOff);
            if (elapsed >= scaled) return false;
            backOff = entry.BackOff;
            remaining = scaled - elapsed;
            return true;
        }
    }

    /// <summary>A restart happens now: the first waits <see cref="Initial"/>, each next one twice the last, up to <see cref="Max"/>.</summary>
    public void Next(string key)
    {
        lock (_gate)
        {
            var now = clock.GetUtcNow().UtcDateTime;
            _entries[key] = _entries.TryGetValue(key, out var entry) && now - entry.LastUpdate <= timing.Of(Max * 2)
                ? (TimeSpan.FromTicks(Math.Min(entry.BackOff.Ticks * 2, Max.Ticks)), now)
                : (Initial, now);
        }
    }

    /// <summary>The kubelet stopped: its back-off memory goes with it.</summary>
    public void Clear()
    {
        lock (_gate) _entries.Clear();
    }
}
