using System.Buffers;
using System.Net;
using System.Runtime.CompilerServices;
using System.Text.Json;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace KubeRescue.Kubernetes.Client;

/// <summary>
/// A watch read line by line: one JSON event (<c>{"type": ..., "object": ...}</c>) per line, each object through
/// the client's source-generated model JSON. The client's own watch helpers deserialize a generic event type by
/// reflection, which the native build cannot, and they drop an event they cannot read and go on; here an unreadable
/// event or an ERROR event ends the watch, so that its owner lists again, as client-go's reflector does.
/// </summary>
internal static class WatchStream
{
    /// <summary>The collection's path and query for a watch; the resourceVersion is added per watch.</summary>
    public static string Path(string collection, string? labelSelector, string? fieldSelector)
    {
        var query = "?watch=true&allowWatchBookmarks=true";
        if (labelSelector is not null) query += "&labelSelector=" + Uri.EscapeDataString(labelSelector);
        if (fieldSelector is not null) query += "&fieldSelector=" + Uri.EscapeDataString(fieldSelector);
        return collection + query;
    }

    /// <summary>
    /// The events from <paramref name="resourceVersion"/> on, until the server ends the watch. A refused request is
    /// an <see cref="HttpOperationException"/>, an ERROR event a <see cref="KubernetesException"/>, an unreadable
    /// line an <see cref="InvalidDataException"/>; a cut connection is the transport's <see cref="IOException"/>.
    /// </summary>
    public static async IAsyncEnumerable<(WatchEventType Type, T Object)> EventsAsync<T>(IKubernetes client, string path, string resourceVersion,
        [EnumeratorCancellation] CancellationToken ct)
    {
        using var response = await ApiRequests.SendAsync(client, HttpMethod.Get, path + "&resourceVersion=" + Uri.EscapeDataString(resourceVersion), null, ct);
        // Lines are parsed from the bytes as they arrive, without a string per event: an informer of a large cluster
        // reads thousands of events a second.
        await using var stream = await response.Content.ReadAsStreamAsync(ct);
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        int start = 0, end = 0;
        try
        {
            while (true)
            {
                var newline = Array.IndexOf(buffer, (byte)'\n', start, end - start);
                if (newline >= 0)
                {
                    var line = TrimReturn(buffer.AsMemory(start, newline - start));
                    start = newline + 1;
                    if (line.Length > 0) yield return Parse<T>(line);
                    continue;
                }
                if (start > 0)
                {
                    Buffer.BlockCopy(buffer, start, buffer, 0, end - start);
                    end -= start;
                    start = 0;
                }
                if (end == buffer.Length)
                {
                    var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                    Buffer.BlockCopy(buffer, 0, larger, 0, end);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }
                var read = await stream.ReadAsync(buffer.AsMemory(end), ct);
                if (read == 0)
                {
                    // The server ended the watch; a last line without its newline is still an event.
                    var rest = TrimReturn(buffer.AsMemory(start, end - start));
                    if (rest.Length > 0) yield return Parse<T>(rest);
                    yield break;
                }
                end += read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    static ReadOnlyMemory<byte> TrimReturn(ReadOnlyMemory<byte> line) => line.Length > 0 && line.Span[^1] == (byte)'\r' ? line[..^1] : line;

    static (WatchEventType, T) Parse<T>(ReadOnlyMemory<byte> line)
    {
        try
        {
            using var document = JsonDocument.Parse(line);
            var type = document.RootElement.GetProperty("type").GetString();
            var obj = document.RootElement.GetProperty("object");
            if (type == "ERROR" || (obj.TryGetProperty("kind", out var kind) && kind.ValueEquals("Status")))
                throw new KubernetesException(KubernetesJson.Deserialize<V1Status>(obj));
            return (type switch
            {
                "ADDED" => WatchEventType.Added,
                "MODIFIED" => WatchEventType.Modified,
                "DELETED" => WatchEventType.Deleted,
                "BOOKMARK" => WatchEventType.Bookmark,
                _ => throw new InvalidDataException($"a watch event of unknown type {type}"),
            }, KubernetesJson.Deserialize<T>(obj));
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new InvalidDataException($"an unreadable watch event: {e.Message}", e);
        }
    }
}
