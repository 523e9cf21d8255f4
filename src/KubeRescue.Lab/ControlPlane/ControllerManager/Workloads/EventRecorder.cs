using k8s;
using k8s.Models;

namespace KubeRescue.Lab.ControlPlane.ControllerManager.Workloads;

/// <summary>
/// client-go's core/v1 EventRecorder in small: one Event per call, named <c>&lt;object&gt;.&lt;hex nanoseconds&gt;</c>,
/// with the controller as source. Unlike client-go it does not aggregate repeats into a count, and a failed write
/// is logged and dropped, as the broadcaster drops it after its retries.
/// </summary>
sealed class EventRecorder(IKubernetes client, string component, TextWriter log)
{
    long _lastNanos;

    public async Task RecordAsync(IKubernetesObject<V1ObjectMeta> obj, string apiVersion, string kind, string type, string reason, string message, CancellationToken ct)
    {
        var now = DateTime.UtcNow;
        var nanos = (now - DateTime.UnixEpoch).Ticks * 100;
        // Two events within the clock's resolution still get distinct names.
        long previous, next;
        do
        {
            previous = Interlocked.Read(ref _lastNanos);
            next = Math.Max(nanos, previous + 1);
        } while (Interlocked.CompareExchange(ref _lastNanos, next, previous) != previous);

        var meta = obj.Metadata;
        var ev = new Corev1Event
        {
            Metadata = new V1ObjectMeta { Name = $"{meta.Name}.{next:x}", NamespaceProperty = meta.NamespaceProperty },
            InvolvedObject = new V1ObjectReference
            {
                ApiVersion = apiVersion,
                Kind = kind,
                Name = meta.Name,
                NamespaceProperty = meta.NamespaceProperty,
                Uid = meta.Uid,
                ResourceVersion = meta.ResourceVersion,
            },
            Type = type,
            Reason = reason,
            Message = message,
            Source = new V1EventSource { Component = component },
            ReportingComponent = component,
            ReportingInstance = "",
            FirstTimestamp = Objects.Now(),
            LastTimestamp = Objects.Now(),
            Count = 1,
        };
        try
        {
            await client.CoreV1.CreateNamespacedEventAsync(ev, meta.NamespaceProperty, cancellationToken: ct);
        }
        catch (Exception e) when (ApiErrors.IsApi(e))
        {
            await log.WriteLineAsync($"{component}: dropping event {reason} on {kind} {meta.NamespaceProperty}/{meta.Name}: {ApiErrors.Message(e)}");
        }
    }
}
