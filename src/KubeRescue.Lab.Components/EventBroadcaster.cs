using System.Globalization;
using System.Net;
using System.Threading.Channels;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace KubeRescue.Lab.Components;

/// <summary>
/// client-go's event broadcaster, one per process: recorders queue events and a background writer passes each
/// through the <see cref="EventCorrelator"/> (aggregation, de-duplication, the spam filter) and sends what it keeps,
/// so a slow API server never stalls the caller. Failed writes are logged and dropped, as upstream drops them after
/// its retries.
/// </summary>
public sealed class EventBroadcaster
{
    readonly IKubernetes _client;
    readonly Action<string> _dropped;
    readonly TimeProvider _clock;
    readonly Channel<Corev1Event> _queue = Channel.CreateUnbounded<Corev1Event>(new() { SingleReader = true });
    readonly EventCorrelator _correlator;
    readonly Task _writer;
    long _lastNanos;

    /// <param name="clock">the process's clock: the events' timestamps and the correlator's windows</param>
    public EventBroadcaster(IKubernetes client, LabTiming timing, TimeProvider clock, Action<string> dropped)
    {
        _client = client;
        _clock = clock;
        _correlator = new EventCorrelator(timing, clock);
        _dropped = dropped;
        _writer = Task.Run(WriteAllAsync);
    }

    /// <summary>A recorder for one component (<c>kubelet</c>, <c>default-scheduler</c>, <c>deployment-controller</c>).</summary>
    public EventRecorder NewRecorder(string component, string instance = "", string? host = null) => new(this, component, instance, host);

    internal void Enqueue(V1ObjectReference involved, string component, string instance, string? host, string type, string reason, string message, string? action)
    {
        var now = _clock.GetUtcNow().UtcDateTime;
        _queue.Writer.TryWrite(new Corev1Event
        {
            Metadata = new V1ObjectMeta
            {
                Name = string.Create(CultureInfo.InvariantCulture, $"{involved.Name}.{UniqueNanos(now):x}"),
                NamespaceProperty = string.IsNullOrEmpty(involved.NamespaceProperty) ? "default" : involved.NamespaceProperty,
            },
            InvolvedObject = involved,
            Type = type,
            Reason = reason,
            Message = message,
            Action = action,
            Source = new V1EventSource { Component = component, Host = host },
            ReportingComponent = component,
            ReportingInstance = instance,
            FirstTimestamp = now,
            LastTimestamp = now,
            Count = 1,
        });
    }

    /// <summary>Names are <c>&lt;object&gt;.&lt;hex unix nanoseconds&gt;</c>; two events within the clock's resolution still differ.</summary>
    long UniqueNanos(DateTime now)
    {
        var nanos = (now - DateTime.UnixEpoch).Ticks * 100;
        long previous, next;
        do
        {
            previous = Interlocked.Read(ref _lastNanos);
            next = Math.Max(nanos, previous + 1);
        } while (Interlocked.CompareExchange(ref _lastNanos, next, previous) != previous);
        return next;
    }

    /// <summary>Sends what is queued, then stops; the process's client must still be open.</summary>
    public async Task StopAsync()
    {
        _queue.Writer.TryComplete();
        await _writer;
    }

    async Task WriteAllAsync()
    {
        await foreach (var queued in _queue.Reader.ReadAllAsync())
        {
            var (skip, e, key, patch) = _correlator.Correlate(queued);
            if (skip) continue;
            var ns = e.Metadata.NamespaceProperty;
            try
            {
                Corev1Event? written = null;
                if (patch)
                {
                    var body = KubernetesJson.Serialize(new { count = e.Count, lastTimestamp = e.LastTimestamp });
                    try
                    {
                        written = await _client.CoreV1.PatchNamespacedEventAsync(new V1Patch(body, V1Patch.PatchType.StrategicMergePatch), e.Metadata.Name, ns);
                    }
                    catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.NotFound)
                    {
                        // Expired or deleted: created again, as the recorder does.
                    }
                }
                written ??= await _client.CoreV1.CreateNamespacedEventAsync(e, ns);
                _correlator.Sent(key, written);
            }
            catch (Exception ex) when (ex is HttpOperationException or HttpRequestException or IOException or TaskCanceledException or ObjectDisposedException)
            {
                var o = e.InvolvedObject;
                _dropped($"{e.Source.Component}: dropping event {e.Reason} on {o.Kind} {o.NamespaceProperty}/{o.Name}: {ex.Message}");
            }
        }
    }
}

/// <summary>One component's view of the process's <see cref="EventBroadcaster"/>.</summary>
public sealed record EventRecorder(EventBroadcaster Broadcaster, string Component, string Instance, string? Host)
{
    public void Record(V1ObjectReference involved, string type, string reason, string message, string? action = null) =>
        Broadcaster.Enqueue(involved, Component, Instance, Host, type, reason, message, action);

    public void Record(IKubernetesObject<V1ObjectMeta> obj, string apiVersion, string kind, string type, string reason, string message, string? action = null) =>
        Record(Reference(obj, apiVersion, kind), type, reason, message, action);

    public static V1ObjectReference Reference(IKubernetesObject<V1ObjectMeta> obj, string apiVersion, string kind, string? fieldPath = null) => new()
    {
        ApiVersion = apiVersion,
        Kind = kind,
        Name = obj.Metadata.Name,
        NamespaceProperty = obj.Metadata.NamespaceProperty,
        Uid = obj.Metadata.Uid,
        ResourceVersion = obj.Metadata.ResourceVersion,
        FieldPath = fieldPath,
    };
}
