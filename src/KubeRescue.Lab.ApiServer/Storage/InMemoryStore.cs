using System.Threading.Channels;

namespace KubeRescue.Lab.ApiServer.Storage;

/// <summary>
/// The in-memory <see cref="IStore"/>: current values in a hash map plus an ordered key set for prefix lists,
/// and the last <c>historySize</c> events in a ring indexed by revision (every write takes exactly one revision,
/// so event r sits at r % size). Watches older than the ring get <see cref="RevisionCompactedException"/>,
/// as etcd answers a watch from a compacted revision. Keys written with a TTL are deleted by a sweep, as etcd's
/// lessor revokes expired leases: a delete event like any other.
/// </summary>
public sealed class InMemoryStore : IStore
{
    readonly Lock _gate = new();
    readonly Dictionary<string, KeyValue> _values = new(StringComparer.Ordinal);
    readonly SortedSet<string> _keys = new(StringComparer.Ordinal);
    readonly StoreEvent?[] _history;
    readonly List<Watcher> _watchers = [];
    readonly int _watcherBuffer;
    readonly TimeProvider _clock;
    // (key, the revision that set the expiry) by expiry in UTC ticks; an entry whose key was written since is stale.
    readonly PriorityQueue<(string Key, long ModRevision), long> _expiries = new();
    ITimer? _sweeper;
    long _revision;
    bool _disposed;

    /// <summary>How often expired keys are looked for: etcd's lessor checks every 500 ms.</summary>
    static readonly TimeSpan SweepInterval = TimeSpan.FromMilliseconds(500);

    /// <param name="historySize">Events kept for watches that start in the past.</param>
    /// <param name="watcherBuffer">
    /// Events a watcher may fall behind before it is closed, as the real watch cache drops a slow watcher: what a
    /// client that stops reading can make the server hold for it.
    /// </param>
    /// <param name="clock">What TTLs are counted by.</param>
    public InMemoryStore(int historySize = 100_000, int watcherBuffer = 100_000, TimeProvider? clock = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(historySize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(watcherBuffer, 1);
        _history = new StoreEvent?[historySize];
        _watcherBuffer = watcherBuffer;
        _clock = clock ?? TimeProvider.System;
    }

    public long Revision { get { lock (_gate) return _revision; } }

    /// <summary>Watches open now (the tests' view of what the store holds for its clients).</summary>
    internal int WatcherCount { get { lock (_gate) return _watchers.Count; } }

    /// <summary>The oldest revision a watch may start after.</summary>
    long OldestWatchable => Math.Max(0, _revision - _history.Length);

    public ValueTask<KeyValue?> GetAsync(string key, CancellationToken ct = default)
    {
        lock (_gate) return ValueTask.FromResult(_values.GetValueOrDefault(key));
    }

    public ValueTask<ListPage> ListAsync(string prefix, string? startAfter, int limit, CancellationToken ct = default)
    {
        lock (_gate)
        {
            var items = new List<KeyValue>(limit > 0 ? Math.Min(limit, 1024) : 64);
            var lower = startAfter is not null && string.CompareOrdinal(startAfter, prefix) > 0 ? startAfter : prefix;
            // Keys are ASCII, so every key with this prefix sorts below prefix + U+FFFF.
            var upper = prefix + '\uffff';
            var more = false;
            if (string.CompareOrdinal(lower, upper) < 0)
            {
                foreach (var key in _keys.GetViewBetween(lower, upper))
                {
                    if (key == startAfter) continue;
                    if (limit > 0 && items.Count == limit) { more = true; break; }
                    items.Add(_values[key]);
                }
            }
            return ValueTask.FromResult(new ListPage(items, _revision, more));
        }
    }

    public ValueTask<KeyValue> CreateAsync(string key, byte[] value, TimeSpan? ttl = null, CancellationToken ct = default)
    {
        lock (_gate)
        {
            ThrowIfDisposed();
            if (_values.ContainsKey(key)) throw new KeyExistsException(key);
            var rev = ++_revision;
            var kv = new KeyValue(key, value, rev, rev);
            _values[key] = kv;
            _keys.Add(key);
            Publish(new StoreEvent(StoreEventType.Created, kv, rev));
            Expire(kv, ttl);
            return ValueTask.FromResult(kv);
        }
    }

    public ValueTask<KeyValue> UpdateAsync(string key, long expectedModRevision, byte[] value, TimeSpan? ttl = null, CancellationToken ct = default)
    {
        lock (_gate)
        {
            ThrowIfDisposed();
            if (!_values.TryGetValue(key, out var current)) throw new KeyNotFoundException(key);
            if (current.ModRevision != expectedModRevision) throw new RevisionMismatchException(key, current);
            var rev = ++_revision;
            var kv = new KeyValue(key, value, current.CreateRevision, rev);
            _values[key] = kv;
            Publish(new StoreEvent(StoreEventType.Updated, kv, rev, current));
            Expire(kv, ttl);
            return ValueTask.FromResult(kv);
        }
    }

    public ValueTask<KeyValue> DeleteAsync(string key, long expectedModRevision, CancellationToken ct = default)
    {
        lock (_gate)
        {
            ThrowIfDisposed();
            if (!_values.TryGetValue(key, out var current)) throw new KeyNotFoundException(key);
            if (expectedModRevision != 0 && current.ModRevision != expectedModRevision) throw new RevisionMismatchException(key, current);
            RemoveLocked(current);
            return ValueTask.FromResult(current);
        }
    }

    void RemoveLocked(KeyValue current)
    {
        var rev = ++_revision;
        _values.Remove(current.Key);
        _keys.Remove(current.Key);
        Publish(new StoreEvent(StoreEventType.Deleted, current, rev));
    }

    /// <summary>Schedules the key's deletion; the sweeper starts with the first key that has a TTL.</summary>
    void Expire(KeyValue kv, TimeSpan? ttl)
    {
        if (ttl is not { } t) return;
        _expiries.Enqueue((kv.Key, kv.ModRevision), (_clock.GetUtcNow() + t).UtcTicks);
        _sweeper ??= _clock.CreateTimer(_ => Sweep(), null, SweepInterval, SweepInterval);
    }

    void Sweep()
    {
        lock (_gate)
        {
            if (_disposed) return;
            var now = _clock.GetUtcNow().UtcTicks;
            while (_expiries.TryPeek(out var entry, out var at) && at <= now)
            {
                _expiries.Dequeue();
                // Written since (a later TTL, or none) or deleted: this expiry is not the key's any more.
                if (_values.TryGetValue(entry.Key, out var current) && current.ModRevision == entry.ModRevision) RemoveLocked(current);
            }
        }
    }

    public IStoreWatch Watch(string prefix, long afterRevision)
    {
        lock (_gate)
        {
            ThrowIfDisposed();
            if (afterRevision < OldestWatchable) throw new RevisionCompactedException(afterRevision, OldestWatchable + 1);
            var watcher = new Watcher(this, prefix);
            // Replay and registration under one lock: no event is missed or seen twice.
            for (var rev = afterRevision + 1; rev <= _revision; rev++)
            {
                var e = _history[rev % _history.Length]!;
                if (e.Value.Key.StartsWith(prefix, StringComparison.Ordinal)) watcher.Offer(e);
            }
            _watchers.Add(watcher);
            return watcher;
        }
    }

    void Publish(StoreEvent e)
    {
        _history[e.Revision % _history.Length] = e;
        for (var i = _watchers.Count - 1; i >= 0; i--)
        {
            var w = _watchers[i];
            if (e.Value.Key.StartsWith(w.Prefix, StringComparison.Ordinal) && !w.Offer(e)) _watchers.RemoveAt(i);
        }
    }

    void Remove(Watcher w)
    {
        lock (_gate) _watchers.Remove(w);
    }

    void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    public ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            _disposed = true;
            _sweeper?.Dispose();
            foreach (var w in _watchers) w.Complete(null);
            _watchers.Clear();
        }
        return ValueTask.CompletedTask;
    }

    sealed class Watcher(InMemoryStore store, string prefix) : IStoreWatch
    {
        readonly Channel<StoreEvent> _channel = Channel.CreateBounded<StoreEvent>(
            new BoundedChannelOptions(store._watcherBuffer) { SingleReader = true, SingleWriter = true, FullMode = BoundedChannelFullMode.Wait });

        // Never disposed: it has no timer, and a late Complete must still be able to cancel it.
        readonly CancellationTokenSource _closed = new();

        public string Prefix { get; } = prefix;
        public ChannelReader<StoreEvent> Events => _channel.Reader;
        public CancellationToken Closed => _closed.Token;

        /// <summary>False when the watcher is gone or too far behind; it is then closed with an error.</summary>
        public bool Offer(StoreEvent e)
        {
            if (_channel.Writer.TryWrite(e)) return true;
            Complete(new WatcherTooSlowException());
            return false;
        }

        public void Complete(Exception? error)
        {
            _channel.Writer.TryComplete(error);
            _closed.Cancel();
        }

        public void Dispose()
        {
            Complete(null);
            store.Remove(this);
        }
    }
}

/// <summary>A watcher that fell more than the buffer behind; its client must watch again from its last revision.</summary>
public sealed class WatcherTooSlowException() : Exception("watcher fell too far behind");
