using KubeRescue.Lab.Components;

namespace KubeRescue.Lab.ControlPlane.ControllerManager.Support;

/// <summary>
/// client-go's ControllerExpectations (UID-tracking flavour): a controller that created or deleted pods waits until
/// its informer has seen those changes before it counts pods again, so a lagging cache does not make it create
/// twice. Expectations older than five minutes (lab time) are given up on, as upstream's ExpectationsTimeout.
/// </summary>
public sealed class Expectations(LabTiming timing)
{
    sealed class Entry
    {
        public int Adds;
        public readonly HashSet<string> Deletes = [];
        public DateTime Stamp = DateTime.UtcNow;
    }

    readonly Dictionary<string, Entry> _entries = [];
    readonly Lock _gate = new();

    public void ExpectCreations(string key, int count)
    {
        lock (_gate) Set(key).Adds += count;
    }

    public void ExpectDeletions(string key, IEnumerable<string> podKeys)
    {
        lock (_gate) Set(key).Deletes.UnionWith(podKeys);
    }

    public void CreationObserved(string key)
    {
        lock (_gate) if (_entries.TryGetValue(key, out var e)) e.Adds--;
    }

    /// <summary>A pod counts once as deleted: when it gets a deletionTimestamp or when it goes, whichever is seen first.</summary>
    public void DeletionObserved(string key, string podKey)
    {
        lock (_gate) if (_entries.TryGetValue(key, out var e)) e.Deletes.Remove(podKey);
    }

    public bool Satisfied(string key)
    {
        lock (_gate)
        {
            if (!_entries.TryGetValue(key, out var e)) return true;
            return (e.Adds <= 0 && e.Deletes.Count == 0) || DateTime.UtcNow - e.Stamp > timing.Of(TimeSpan.FromMinutes(5));
        }
    }

    public void Forget(string key)
    {
        lock (_gate) _entries.Remove(key);
    }

    Entry Set(string key)
    {
        if (!_entries.TryGetValue(key, out var e) || (e.Adds <= 0 && e.Deletes.Count == 0)) _entries[key] = e = new Entry();
        e.Stamp = DateTime.UtcNow;
        return e;
    }
}
