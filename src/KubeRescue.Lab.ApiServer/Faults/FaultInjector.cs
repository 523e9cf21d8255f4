using KubeRescue.Lab.ApiServer.Errors;
using KubeRescue.Lab.ApiServer.Objects;
using KubeRescue.Lab.ApiServer.Registry;
using KubeRescue.Lab.ApiServer.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace KubeRescue.Lab.ApiServer.Faults;

/// <summary>
/// Serves the <see cref="ApiFaults"/> in force to the requests they apply to. The faults live in the cluster, as the
/// ConfigMap <c>kube-system/kube-rescue-lab-api-faults</c> (key <c>faults</c>, the flag's form), so they can be
/// changed while the lab runs by anything that writes a ConfigMap (<c>kube-rescue lab break api</c>, kubectl); its
/// deletion ends them. Requests for that ConfigMap itself are never faulted, nor is discovery (which kubectl needs
/// before it can reach the ConfigMap), so a flaky server can always be mended; nor are /healthz, /livez and /readyz,
/// which API Priority and Fairness exempts too (its "probes" FlowSchema).
/// </summary>
public sealed class FaultInjector(ILogger logger)
{
    public const string Namespace = "kube-system";
    public const string ConfigMapName = "kube-rescue-lab-api-faults";
    public const string DataKey = "faults";

    // Marks a request the faults apply to, for the watch it may turn into.
    static readonly object Faultable = new();

    volatile ApiFaults _current = ApiFaults.None;

    public ApiFaults Current => _current;

    /// <summary>
    /// Before a request is served: waits the latency, then may reset the connection or throw the error it answers
    /// with. True when the connection was reset (nothing more to do).
    /// </summary>
    public async Task<bool> BeforeAsync(HttpContext ctx)
    {
        if (Exempt(ctx.Request.Path.Value ?? "")) return false;
        ctx.Items[Faultable] = true;
        var faults = _current;
        if (!faults.Any) return false;
        if (faults.Latency > TimeSpan.Zero) await Task.Delay(faults.Latency, ctx.RequestAborted);
        if (Random.Shared.NextDouble() < faults.ResetRate)
        {
            ctx.Abort();
            return true;
        }
        if (Random.Shared.NextDouble() < faults.ErrorRate)
        {
            throw Random.Shared.Next(3) switch
            {
                // What API Priority and Fairness answers when a priority level's queues are full.
                0 => new ApiException(429, "TooManyRequests", "Too many requests, please try again later.") { RetryAfterSeconds = 1 },
                1 => new ApiException(500, "InternalError", "Internal error occurred: injected by the lab's API faults"),
                _ => new ApiException(503, "ServiceUnavailable", "the server is currently unable to handle the request"),
            };
        }
        return false;
    }

    /// <summary>When a watch starting now is to be dropped, if watches are being dropped and faults apply to it.</summary>
    public TimeSpan? WatchDropAfter(HttpContext ctx)
    {
        var drop = _current.WatchDrop;
        return drop > TimeSpan.Zero && ctx.Items.ContainsKey(Faultable) ? drop * (0.5 + Random.Shared.NextDouble()) : null;
    }

    static bool Exempt(string path) => IsDiscovery(path) || IsHealth(path) ||
        path.StartsWith($"/api/v1/namespaces/{Namespace}/configmaps", StringComparison.Ordinal)
        && (path.EndsWith("/configmaps", StringComparison.Ordinal) || path.EndsWith($"/configmaps/{ConfigMapName}", StringComparison.Ordinal));

    static bool IsHealth(string path) => path.Trim('/').Split('/')[0] is "healthz" or "livez" or "readyz";

    /// <summary>/version, /openapi/..., /api, /api/v1, /apis, /apis/GROUP and /apis/GROUP/VERSION: no resource named.</summary>
    static bool IsDiscovery(string path)
    {
        var segments = path.Trim('/').Split('/');
        return segments[0] switch
        {
            "version" or "openapi" => true,
            "api" => segments.Length <= 2,
            "apis" => segments.Length <= 3,
            _ => false,
        };
    }

    /// <summary>Follows the ConfigMap until the server stops: its faults while it exists, none once it is gone.</summary>
    public async Task FollowAsync(ResourceStorage storage, CancellationToken stop)
    {
        var rt = storage.Registry.Get("", "v1", "configmaps");
        bool IsFaults(KeyValue entry) => ResourceStorage.PositionOf(rt, Namespace, entry) == ConfigMapName;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                var page = await storage.ListEntriesAsync(rt, Namespace, null, 0, stop);
                Apply(page.Items.FirstOrDefault(IsFaults));
                using var watch = storage.Watch(rt, Namespace, page.Revision);
                await foreach (var e in watch.Events.ReadAllAsync(stop))
                    if (IsFaults(e.Value)) Apply(e.Type == StoreEventType.Deleted ? null : e.Value);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is RevisionCompactedException or WatcherTooSlowException or ObjectDisposedException)
            {
                // Behind or closed: read it again (a disposed store means the server is stopping).
                if (e is ObjectDisposedException) return;
            }
        }
    }

    void Apply(KeyValue? value)
    {
        if (value is null)
        {
            _current = ApiFaults.None;
            return;
        }
        var spec = (string?)ObjectCodec.Parse(value.Value, value.ModRevision)["data"]?[DataKey] ?? "";
        try
        {
            _current = ApiFaults.Parse(spec);
            logger.LogWarning("API faults now {Faults}", _current);
        }
        catch (FormatException e)
        {
            _current = ApiFaults.None;
            logger.LogError("API faults off: {Name}'s {Key} is not valid: {Error}", ConfigMapName, DataKey, e.Message);
        }
    }
}
