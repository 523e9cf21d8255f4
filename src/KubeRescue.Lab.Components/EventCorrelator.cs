using System.Globalization;
using k8s.Models;

namespace KubeRescue.Lab.Components;

/// <summary>
/// client-go's EventCorrelator (tools/record/events_cache.go), which every legacy event recorder runs before it
/// writes: in this order,
/// - aggregation: once an object's source has sent 10 events that differ only by message (same type, reason and
///   reporting controller) within 10 minutes, the next ones become one event "(combined from similar events): ..."
///   (a ReplicaSet creating 300 pods leaves 10 events, not 300);
/// - de-duplication: an event already sent (the same in every field but time) is a count and lastTimestamp patch of
///   the first one;
/// - the spam filter: a source may send 25 events about one object, then one every 5 minutes (a token bucket),
///   patches included; the rest are dropped.
/// Each of its three caches keeps the last 4096 keys, as upstream's LRUs do. Not thread-safe: the broadcaster's one
/// writer owns it. Its windows are judged on <paramref name="clock"/>, the process's.
/// </summary>
public sealed class EventCorrelator(LabTiming timing, TimeProvider clock)
{
    public const int CacheSize = 4096;
    public const int AggregateMaxEvents = 10;
    public const int SpamBurst = 25;
    public const string CombinedPrefix = "(combined from similar events): ";

    readonly TimeSpan _aggregateInterval = timing.Seconds(600);
    readonly TimeSpan _spamRefill = timing.Seconds(300);
    readonly Lru<(HashSet<string> Messages, DateTime Last)> _aggregates = new(CacheSize);
    readonly Lru<(string Name, DateTime First, int Count)> _sent = new(CacheSize);
    readonly Lru<(double Tokens, DateTime At)> _spam = new(CacheSize);

    /// <summary>
    /// What to do with an event: drop it (<c>Skip</c>), or write <c>Event</c>: as a patch of the count and
    /// lastTimestamp of the series already on the server under its name (<c>Patch</c>), else as a new event.
    /// </summary>
    public readonly record struct Result(bool Skip, Corev1Event Event, string Key, bool Patch);

    public Result Correlate(Corev1Event e)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var (aggregated, key) = Aggregate(e, now);
        // Observed before the filter, as upstream does: a dropped repeat still counts.
        var observed = aggregated;
        var prior = _sent.Get(key);
        if (prior is { } p)
        {
            observed = Copy(aggregated);
            observed.Metadata.Name = p.Name;
            observed.FirstTimestamp = p.First;
            observed.Count = p.Count + 1;
        }
        _sent.Set(key, (observed.Metadata.Name, observed.FirstTimestamp ?? now, observed.Count ?? 1));
        var spamKey = string.Join('\u0000', e.Source.Component, e.Source.Host, ObjectKey(e.InvolvedObject));
        return new Result(!TakeToken(spamKey, now), observed, key, prior is not null);
    }

    /// <summary>Records what the server holds after a write (upstream's UpdateState).</summary>
    public void Sent(string key, Corev1Event written) =>
        _sent.Set(key, (written.Metadata.Name, written.FirstTimestamp ?? clock.GetUtcNow().UtcDateTime, written.Count ?? 1));

    static Corev1Event Copy(Corev1Event e) => new()
    {
        Metadata = new V1ObjectMeta { Name = e.Metadata.Name, NamespaceProperty = e.Metadata.NamespaceProperty },
        InvolvedObject = e.InvolvedObject,
        Type = e.Type,
        Reason = e.Reason,
        Message = e.Message,
        Action = e.Action,
        Source = e.Source,
        ReportingComponent = e.ReportingComponent,
        ReportingInstance = e.ReportingInstance,
        FirstTimestamp = e.FirstTimestamp,
        LastTimestamp = e.LastTimestamp,
        Count = e.Count,
    };

    (Corev1Event Event, string Key) Aggregate(Corev1Event e, DateTime now)
    {
        var involved = ObjectKey(e.InvolvedObject);
        var aggregateKey = string.Join('\u0000', e.Source.Component, e.Source.Host, involved, e.Type, e.Reason, e.ReportingComponent, e.ReportingInstance);
        var eventKey = string.Join('\u0000', e.Source.Component, e.Source.Host, involved, e.InvolvedObject.FieldPath, e.Type, e.Reason, e.Message);
        var record = _aggregates.Get(aggregateKey);
        if (record is not { } r || now - r.Last > _aggregateInterval) r = ([], now);
        r.Messages.Add(e.Message ?? "");
        _aggregates.Set(aggregateKey, (r.Messages, now));
        if (r.Messages.Count < AggregateMaxEvents) return (e, eventKey);
        // Upstream keeps the set at its maximum by dropping any one message.
        r.Messages.Remove(r.Messages.First());
        var combined = new Corev1Event
        {
            Metadata = new V1ObjectMeta
            {
                Name = string.Create(CultureInfo.InvariantCulture, $"{e.InvolvedObject.Name}.{(now - DateTime.UnixEpoch).Ticks * 100:x}"),
                NamespaceProperty = e.Metadata.NamespaceProperty,
            },
            InvolvedObject = e.InvolvedObject,
            Type = e.Type,
            Reason = e.Reason,
            Message = CombinedPrefix + e.Message,
            Source = e.Source,
            FirstTimestamp = now,
            LastTimestamp = now,
            Count = 1,
        };
        return (combined, aggregateKey);
    }

    bool TakeToken(string key, DateTime now)
    {
        var (tokens, at) = _spam.Get(key) ?? (SpamBurst, now);
        tokens = Math.Min(SpamBurst, tokens + (now - at) / _spamRefill);
        var accepted = tokens >= 1;
        _spam.Set(key, (accepted ? tokens - 1 : tokens, now));
        return accepted;
    }

    static string ObjectKey(V1ObjectReference o) => string.Join('\u0000', o.Kind, o.NamespaceProperty, o.Name, o.Uid, o.ApiVersion);

    /// <summary>A least-recently-used map of a fixed size (upstream's groupcache lru).</summary>
    sealed class Lru<T>(int capacity) where T : struct
    {
        readonly Dictionary<string, LinkedListNode<(string Key, T Value)>> _index = new(StringComparer.Ordinal);
        readonly LinkedList<(string Key, T Value)> _order = new();

        public T? Get(string key)
        {
            if (!_index.TryGetValue(key, out var node)) return null;
            _order.Remove(node);
            _order.AddFirst(node);
            return node.Value.Value;
        }

        public void Set(string key, T value)
        {
            if (_index.TryGetValue(key, out var node))
            {
                _order.Remove(node);
                node.Value = (key, value);
                _order.AddFirst(node);
                return;
            }
            _index[key] = _order.AddFirst((key, value));
            if (_index.Count <= capacity) return;
            _index.Remove(_order.Last!.Value.Key);
            _order.RemoveLast();
        }

    }
}
