using System.Buffers;
using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.Json;
using System.Threading.Channels;
using KubeRescue.Lab.ApiServer.Errors;
using KubeRescue.Lab.ApiServer.Faults;
using KubeRescue.Lab.ApiServer.Objects;
using KubeRescue.Lab.ApiServer.Registry;
using KubeRescue.Lab.ApiServer.Storage;
using KubeRescue.Lab.ApiServer.Tables;

namespace KubeRescue.Lab.ApiServer.Http;

public sealed record WatchOptions
{
    /// <summary>How often an idle watch that asked for bookmarks gets one (the real watch cache: about a minute).</summary>
    public TimeSpan BookmarkInterval { get; init; } = TimeSpan.FromMinutes(1);
    /// <summary>Watches without timeoutSeconds end after this, times a random factor in [1,2), as --min-request-timeout does.</summary>
    public TimeSpan MinRequestTimeout { get; init; } = TimeSpan.FromMinutes(30);
}

/// <summary>
/// Watch streams: one JSON event per line, flushed as it happens. resourceVersion unset or "0" starts with
/// synthetic ADDED events for what exists; N resumes after revision N; a revision older than the store retains
/// gets an ERROR event with a 410 Expired Status, as the watch cache answers. Filtered watches see objects that
/// stop matching as DELETED and ones that start matching as ADDED.
/// </summary>
/// <param name="serverStopping">ends every watch when the server shuts down, rather than holding its shutdown</param>
public sealed class WatchServer(ResourceStorage storage, WatchOptions options, TimeProvider clock, FaultInjector faults, CancellationToken serverStopping)
{
    public async Task ServeAsync(ApiRequest req, string? name = null)
    {
        var rt = req.Resource;
        var filter = ObjectFilter.From(rt.FieldSelectors, req.Query("labelSelector"), req.Query("fieldSelector"), name);
        var bookmarks = req.Query("allowWatchBookmarks") is "true" or "1";
        var sendInitial = req.Query("sendInitialEvents") is "true" or "1";
        var rvParam = req.Query("resourceVersion");
        // No timeoutSeconds, or 0, gets the server's own bound, as upstream's watch handler does.
        var secs = 0L;
        if (req.Query("timeoutSeconds") is { } t && (!long.TryParse(t, CultureInfo.InvariantCulture, out secs) || secs < 0))
            throw ApiException.BadRequest($"invalid timeoutSeconds: {t}");
        var timeout = secs > 0 ? TimeSpan.FromSeconds(secs) : options.MinRequestTimeout * (1 + Random.Shared.NextDouble());
        var table = req.WantsTable;

        IReadOnlyList<KeyValue> initial = [];
        long start;
        if (string.IsNullOrEmpty(rvParam) || rvParam == "0" || sendInitial)
        {
            var page = await storage.ListEntriesAsync(rt, req.Info.Namespace, null, 0, req.Aborted);
            initial = page.Items;
            start = page.Revision;
        }
        else if (!long.TryParse(rvParam, NumberStyles.None, CultureInfo.InvariantCulture, out start))
        {
            throw ApiException.BadRequest($"invalid resource version: {rvParam}");
        }

        req.Http.Response.StatusCode = 200;
        req.Http.Response.ContentType = "application/json";
        var output = req.Http.Response.BodyWriter;
        IStoreWatch watch;
        try
        {
            watch = storage.Watch(rt, req.Info.Namespace, start);
        }
        catch (RevisionCompactedException e)
        {
            var expired = new ApiException(410, "Expired", $"too old resource version: {e.Requested} ({e.Oldest})");
            WriteEvent(output, "ERROR", w => expired.ToStatus().WriteTo(w));
            await output.FlushAsync(req.Aborted);
            return;
        }

        using var _ = watch;
        // Closed by the store when this watcher fell too far behind: the handler ends then, even if it is blocked
        // writing to a client that stopped reading, so what that client made the server hold is let go.
        using var lifetime = CancellationTokenSource.CreateLinkedTokenSource(req.Aborted, serverStopping, watch.Closed);
        lifetime.CancelAfter(timeout);
        // A dropped watch is cut, not ended: the client sees its connection or stream reset mid-watch.
        using var drop = faults.WatchDropAfter(req.Http) is { } after
            ? new Timer(_ => req.Http.Abort(), null, after, Timeout.InfiniteTimeSpan)
            : null;
        var first = true;
        try
        {
            // Headers go out at once, as upstream's watch handler flushes them before the first event.
            await req.Http.Response.StartAsync(lifetime.Token);
            foreach (var kv in initial)
            {
                if (filter.Matches(kv)) WriteObjectEvent(output, "ADDED", kv.Value, kv.ModRevision, table, req, ref first);
            }
            if (sendInitial) WriteBookmark(output, rt, start, initialEventsEnd: true);
            await output.FlushAsync(lifetime.Token);

            var lastBookmark = clock.GetTimestamp();
            Task<bool>? readable = null;
            // One timer per bookmark interval rather than one per wait: a busy watch waits thousands of times a second.
            Task? bookmarkDue = null;
            while (!lifetime.IsCancellationRequested)
            {
                if (bookmarks && clock.GetElapsedTime(lastBookmark) >= options.BookmarkInterval)
                {
                    // Every event up to the store's revision has been offered to this watcher; if none is waiting
                    // unread, that revision is a safe place to resume from.
                    var revision = storage.Revision;
                    if (!watch.Events.TryPeek(out var _))
                    {
                        WriteBookmark(output, rt, revision, initialEventsEnd: false);
                        await output.FlushAsync(lifetime.Token);
                    }
                    lastBookmark = clock.GetTimestamp();
                    continue;
                }
                readable ??= watch.Events.WaitToReadAsync(lifetime.Token).AsTask();
                if (bookmarks && !readable.IsCompleted)
                {
                    bookmarkDue ??= Task.Delay(TimeSpan.FromTicks(Math.Max(0, (options.BookmarkInterval - clock.GetElapsedTime(lastBookmark)).Ticks)), clock, lifetime.Token);
                    await Task.WhenAny(readable, bookmarkDue);
                    if (bookmarkDue.IsCompleted) bookmarkDue = null;
                    if (!readable.IsCompleted) continue;
                }
                if (!await readable) break;
                readable = null;
                while (watch.Events.TryRead(out var e)) WriteStoreEvent(output, e, filter, table, req, ref first);
                await output.FlushAsync(lifetime.Token);
            }
        }
        catch (OperationCanceledException)
        {
            // Timeout or the client went away: the stream just ends, as upstream's does.
        }
        catch (WatcherTooSlowException)
        {
        }
    }

    void WriteStoreEvent(IBufferWriter<byte> output, StoreEvent e, ObjectFilter filter, bool table, ApiRequest req, ref bool first)
    {
        string? type;
        if (filter.IsEmpty)
        {
            type = e.Type switch { StoreEventType.Created => "ADDED", StoreEventType.Updated => "MODIFIED", _ => "DELETED" };
        }
        else
        {
            var now = e.Type != StoreEventType.Deleted && filter.Matches(e.Value);
            var before = e.Type switch
            {
                StoreEventType.Created => false,
                StoreEventType.Deleted => filter.Matches(e.Value),
                _ => e.Previous is not null && filter.Matches(e.Previous),
            };
            type = (before, now) switch
            {
                (false, true) => "ADDED",
                (true, true) => "MODIFIED",
                (true, false) => "DELETED",
                _ => null,
            };
        }
        if (type is not null) WriteObjectEvent(output, type, e.Value.Value, e.Revision, table, req, ref first);
    }

    void WriteObjectEvent(IBufferWriter<byte> output, string type, byte[] stored, long revision, bool table, ApiRequest req, ref bool first)
    {
        if (!table)
        {
            WriteEvent(output, type, null, stored, revision);
            return;
        }
        var includeColumns = first;
        first = false;
        var obj = ObjectCodec.Parse(stored, revision);
        var now = clock.GetUtcNow();
        WriteEvent(output, type, w => TableWriter.WriteTable(w, req.Resource.Table, [obj], revision.ToString(CultureInfo.InvariantCulture), null,
            req.IncludeObject, now, includeColumns));
    }

    static void WriteBookmark(IBufferWriter<byte> output, ResourceType rt, long revision, bool initialEventsEnd)
    {
        var meta = new JsonObject { ["resourceVersion"] = revision.ToString(CultureInfo.InvariantCulture) };
        if (initialEventsEnd) meta["annotations"] = new JsonObject { ["k8s.io/initial-events-end"] = "true" };
        var obj = new JsonObject { ["kind"] = rt.Kind, ["apiVersion"] = rt.ApiVersion, ["metadata"] = meta };
        WriteEvent(output, "BOOKMARK", w => obj.WriteTo(w));
    }

    static void WriteEvent(IBufferWriter<byte> output, string type, Action<Utf8JsonWriter>? writeObject, byte[]? stored = null, long revision = 0)
    {
        output.Write("{\"type\":\""u8);
        output.Write(System.Text.Encoding.UTF8.GetBytes(type));
        output.Write("\",\"object\":"u8);
        if (stored is not null) ObjectCodec.WriteStamped(output, stored, revision);
        else
        {
            using var w = new Utf8JsonWriter(output, JsonOutput.Options);
            writeObject!(w);
        }
        output.Write("}\n"u8);
    }
}
