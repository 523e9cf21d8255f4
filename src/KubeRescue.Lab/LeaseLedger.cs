using System.Globalization;
using KubeRescue.Lab.ApiServer.Objects;
using KubeRescue.Lab.ApiServer.Registry;
using KubeRescue.Lab.ApiServer.Storage;

namespace KubeRescue.Lab;

/// <summary>
/// The lab's own record of every write to the control plane's leader-election Leases, read from the store's watch
/// (which, unlike a client's, misses no write), and the proof drawn from it that at no instant two processes led the
/// same component: whenever a Lease passes from one holder to another, the new holder's term starts only after the
/// old one's could have ended (its last renewal plus the duration it wrote). A release (no holder: the holder letting
/// go, or kube-rescue releasing for a holder that provably no longer runs) ends the term at once.
/// </summary>
public sealed class LeaseLedger : IAsyncDisposable
{
    public sealed record Write(string Lease, string? Holder, DateTime? AcquireTime, DateTime? RenewTime, int DurationSeconds, long Revision);

    const string Namespace = "kube-system";

    readonly HashSet<string> _leases;
    readonly ResourceType _leaseType;
    readonly List<Write> _writes = [];
    readonly CancellationTokenSource _stop = new();
    readonly Task _following;

    LeaseLedger(ResourceStorage storage, IEnumerable<string> leases)
    {
        _leases = [.. leases];
        _leaseType = storage.Registry.Get("coordination.k8s.io", "v1", "leases");
        _following = FollowAsync(storage, _stop.Token);
    }

    /// <summary>Records the writes to these Leases of kube-system from now on (their current state first).</summary>
    public static LeaseLedger Start(ResourceStorage storage, params string[] leases) => new(storage, leases);

    /// <summary>False when the store could not keep the ledger whole (its watch fell behind); then it proves nothing.</summary>
    public bool Complete { get; private set; } = true;

    public IReadOnlyList<Write> Writes
    {
        get { lock (_writes) return [.. _writes]; }
    }

    /// <summary>Each hand-over in which the new holder took a Lease before the old holder's term could have ended, described.</summary>
    public static IReadOnlyList<string> Overlaps(IEnumerable<Write> writes)
    {
        var overlaps = new List<string>();
        foreach (var lease in writes.GroupBy(w => w.Lease))
        {
            Write? term = null;
            foreach (var w in lease.OrderBy(w => w.Revision))
            {
                if (string.IsNullOrEmpty(w.Holder))
                {
                    term = null;
                    continue;
                }
                if (term is { RenewTime: { } renewed } && term.Holder != w.Holder)
                {
                    var ends = renewed.AddSeconds(term.DurationSeconds);
                    if (w.AcquireTime is not { } acquired || acquired < ends)
                        overlaps.Add($"Lease {Namespace}/{lease.Key}: {w.Holder} took it at {Time(w.AcquireTime)} (revision {w.Revision}) while {term.Holder} " +
                            $"held it until {Time(ends)} (renewed {Time(renewed)} for {term.DurationSeconds} s)");
                }
                term = w;
            }
        }
        return overlaps;
    }

    static string Time(DateTime? t) => t?.ToString("HH:mm:ss.ffffff", CultureInfo.InvariantCulture) ?? "no time";

    async Task FollowAsync(ResourceStorage storage, CancellationToken stop)
    {
        try
        {
            var page = await storage.ListEntriesAsync(_leaseType, Namespace, null, 0, stop);
            foreach (var kv in page.Items) Record(kv);
            using var watch = storage.Watch(_leaseType, Namespace, page.Revision);
            await foreach (var e in watch.Events.ReadAllAsync(stop))
                if (e.Type != StoreEventType.Deleted) Record(e.Value);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        catch (ObjectDisposedException)
        {
            // The store stopped with the lab: nothing more to record.
        }
        catch (Exception e) when (e is WatcherTooSlowException or RevisionCompactedException)
        {
            Complete = false;
        }
    }

    void Record(KeyValue kv)
    {
        var name = ResourceStorage.PositionOf(_leaseType, Namespace, kv);
        if (!_leases.Contains(name)) return;
        var spec = ObjectCodec.Parse(kv.Value, kv.ModRevision)["spec"];
        static DateTime? At(string? s) => s is null ? null : DateTime.Parse(s, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
        var write = new Write(name, (string?)spec?["holderIdentity"], At((string?)spec?["acquireTime"]), At((string?)spec?["renewTime"]),
            (int?)spec?["leaseDurationSeconds"] ?? 0, kv.ModRevision);
        lock (_writes) _writes.Add(write);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _following;
        _stop.Dispose();
    }
}
