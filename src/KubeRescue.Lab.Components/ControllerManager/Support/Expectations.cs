using KubeRescue.Lab.Components;

namespace KubeRescue.Lab.Components.ControllerManager.Support;

/// <summary>
/// client-go's ControllerExpectations (UIDTrackingControllerExpectations for deletions): the creates a controller
/// has in flight and the pods it asked to delete, so it does not act again on a cache that has not seen its own
/// writes yet. A record older than the TTL (5 minutes, lab time, on <paramref name="clock"/>) no longer blocks, in
/// case a watch event was lost.
/// </summary>
public sealed class Expectations(LabTiming timing, TimeProvider clock)
{
    sealed class Record(DateTime timestamp)
    {
        public int Adds;
        public readonly HashSet<string> Deletes = [];
        public DateTime Timestamp { get; } = timestamp;
    }

    readonly Dictionary<string, Record> _records = [];
    readonly Lock _gate = new();
    readonly TimeSpan _ttl = timing.Of(TimeSpan.FromMinutes(5));

    public bool Satisfied(string key)
    {
        lock (_gate)
        {
            if (!_records.TryGetValue(key, out var r)) return true;
            return (r.Adds <= 0 && r.Deletes.Count == 0) || clock.GetUtcNow().UtcDateTime - r.Timestamp > _ttl;
        }
    }

    /// <summary>SetExpectations: replaces what the key waits for with these creates and deletions.</summary>
    public void Expect(string key, int creations, IEnumerable<string> deletions)
    {
        var record = new Record(clock.GetUtcNow().UtcDateTime) { Adds = creations };
        record.Deletes.UnionWith(deletions);
        lock (_gate) _records[key] = record;
    }

    public void ExpectCreations(string key, int count) => Expect(key, count, []);

    public void ExpectDeletions(string key, IEnumerable<string> podKeys) => Expect(key, 0, podKeys);

    public void CreationObserved(string key)
    {
        lock (_gate) if (_records.TryGetValue(key, out var r)) r.Adds--;
    }

    public void DeletionObserved(string key, string podKey)
    {
        lock (_gate) if (_records.TryGetValue(key, out var r)) r.Deletes.Remove(podKey);
    }

    public void Forget(string key)
    {
        lock (_gate) _records.Remove(key);
    }
}
