using System.Threading.Channels;

namespace KubeRescue.Lab.ApiServer.Storage;

/// <summary>One stored value at one revision. Revisions are the store's global, monotonic counter.</summary>
public sealed record KeyValue(string Key, byte[] Value, long CreateRevision, long ModRevision)
{
    /// <summary>
    /// What a reader derived from <see cref="Value"/> (the API server keeps an object's labels and selectable
    /// fields here), held with this revision so that it is derived once however many lists and watches read it.
    /// Opaque to the store, and no part of the value's identity.
    /// </summary>
    public object? Derived { get; set; }

    public bool Equals(KeyValue? other) =>
        other is not null && Key == other.Key && Value == other.Value && CreateRevision == other.CreateRevision && ModRevision == other.ModRevision;

    public override int GetHashCode() => HashCode.Combine(Key, Value, CreateRevision, ModRevision);
}

public enum StoreEventType { Created, Updated, Deleted }

/// <summary>
/// A change, at <see cref="Revision"/>. For a delete, <see cref="Value"/> is the last value before it;
/// for an update, <see cref="Previous"/> is the value it replaced (watchers with filters need both sides).
/// </summary>
public sealed record StoreEvent(StoreEventType Type, KeyValue Value, long Revision, KeyValue? Previous = null);

public sealed record ListPage(IReadOnlyList<KeyValue> Items, long Revision, bool More);

/// <summary>
/// A revisioned key-value store with watch, shaped like kine's: it knows keys, revisions, bytes and watches,
/// nothing about Kubernetes kinds. Every successful write takes the next global revision.
/// </summary>
public interface IStore : IAsyncDisposable
{
    /// <summary>The revision of the last write.</summary>
    long Revision { get; }

    ValueTask<KeyValue?> GetAsync(string key, CancellationToken ct = default);

    /// <summary>Keys starting with <paramref name="prefix"/>, in key order, after <paramref name="startAfter"/> (exclusive), at most <paramref name="limit"/> (0 = all).</summary>
    ValueTask<ListPage> ListAsync(string prefix, string? startAfter, int limit, CancellationToken ct = default);

    /// <param name="ttl">
    /// The key is deleted once this long passes without another write, as etcd deletes the keys of an expired
    /// lease (the API server's TTL for events); every write sets it anew, and null means never.
    /// </param>
    /// <exception cref="KeyExistsException">the key exists.</exception>
    ValueTask<KeyValue> CreateAsync(string key, byte[] value, TimeSpan? ttl = null, CancellationToken ct = default);

    /// <summary>Replaces the value if the key's mod revision is still <paramref name="expectedModRevision"/>.</summary>
    /// <param name="ttl">As for <see cref="CreateAsync"/>: counted from this write.</param>
    /// <exception cref="KeyNotFoundException">the key does not exist.</exception>
    /// <exception cref="RevisionMismatchException">the key changed since.</exception>
    ValueTask<KeyValue> UpdateAsync(string key, long expectedModRevision, byte[] value, TimeSpan? ttl = null, CancellationToken ct = default);

    /// <summary>Deletes the key if its mod revision is still <paramref name="expectedModRevision"/> (0: whatever it is). Returns the deleted value.</summary>
    ValueTask<KeyValue> DeleteAsync(string key, long expectedModRevision, CancellationToken ct = default);

    /// <summary>Events for keys under <paramref name="prefix"/> with a revision greater than <paramref name="afterRevision"/>, then live ones.</summary>
    /// <exception cref="RevisionCompactedException">events after that revision are no longer retained.</exception>
    IStoreWatch Watch(string prefix, long afterRevision);
}

public interface IStoreWatch : IDisposable
{
    /// <summary>Completes when the watch is disposed or the store stops; completes with an error if the watcher fell too far behind.</summary>
    ChannelReader<StoreEvent> Events { get; }

    /// <summary>Cancelled once the store closes the watch (too far behind, or the store stopped), even while events wait unread.</summary>
    CancellationToken Closed { get; }
}

public sealed class KeyExistsException(string key) : Exception($"key {key} exists");

public sealed class RevisionMismatchException(string key, KeyValue current) : Exception($"key {key} changed")
{
    public KeyValue Current { get; } = current;
}

public sealed class RevisionCompactedException(long requested, long oldest)
    : Exception($"revision {requested} is older than the oldest retained revision {oldest}")
{
    public long Requested { get; } = requested;
    public long Oldest { get; } = oldest;
}
