using System.Globalization;
using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace KubeRescue.Lab.ControlPlane.Scheduler;

/// <summary>
/// core/v1 Events about pods, as client-go's recorder writes them: one Event per distinct (object, type, reason,
/// message), named <c>&lt;pod&gt;.&lt;hex unix nanos&gt;</c>; a repeat patches its count and lastTimestamp
/// instead of creating another. A failure to record is logged, never fatal.
/// </summary>
sealed class EventRecorder(IKubernetes client, string component, string instance, Klog log)
{
    readonly Dictionary<(string Uid, string Type, string Reason, string Message), (string Name, int Count)> _seen = [];
    readonly Lock _gate = new();

    public async Task EventAsync(V1Pod pod, string type, string reason, string action, string message, CancellationToken ct)
    {
        var ns = pod.Metadata.NamespaceProperty;
        var key = (pod.Metadata.Uid ?? "", type, reason, message);
        (string Name, int Count) previous;
        lock (_gate) _seen.TryGetValue(key, out previous);
        var now = DateTime.UtcNow;
        try
        {
            if (previous.Name is not null)
            {
                var count = previous.Count + 1;
                var patch = KubernetesJson.Serialize(new { count, lastTimestamp = now.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture) });
                try
                {
                    await client.CoreV1.PatchNamespacedEventAsync(new V1Patch(patch, V1Patch.PatchType.StrategicMergePatch), previous.Name, ns, cancellationToken: ct);
                    lock (_gate) _seen[key] = (previous.Name, count);
                    return;
                }
                catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
                {
                    // Expired or deleted: start a new series, as the recorder does.
                }
            }
            var name = string.Create(CultureInfo.InvariantCulture, $"{pod.Metadata.Name}.{(now - DateTime.UnixEpoch).Ticks * 100:x}");
            await client.CoreV1.CreateNamespacedEventAsync(new Corev1Event
            {
                Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns },
                InvolvedObject = new V1ObjectReference
                {
                    Kind = "Pod", ApiVersion = "v1", NamespaceProperty = ns, Name = pod.Metadata.Name,
                    Uid = pod.Metadata.Uid, ResourceVersion = pod.Metadata.ResourceVersion,
                },
                Type = type,
                Reason = reason,
                Message = message,
                Action = action,
                Source = new V1EventSource { Component = component },
                ReportingComponent = component,
                ReportingInstance = instance,
                FirstTimestamp = now,
                LastTimestamp = now,
                Count = 1,
            }, ns, cancellationToken: ct);
            lock (_gate)
            {
                // client-go's correlator keeps an LRU of 4096 series; forgetting them all at once is close enough.
                if (_seen.Count >= 4096) _seen.Clear();
                _seen[key] = (name, 1);
            }
        }
        catch (Exception e) when (e is HttpOperationException or HttpRequestException or IOException)
        {
            log.Error("event.go:368", $"\"Unable to write event (may retry after sleeping)\" err=\"{e.Message}\"");
        }
    }
}
