using System.Globalization;
using System.Net;
using System.Threading.Channels;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace KubeRescue.Lab.Nodes;

/// <summary>
/// client-go's event recorder for the kubelets: events are queued and written in the background, so a slow API
/// server never stalls a pod worker; a repeat of the same event (same object, reason, message) patches the first
/// one's count and lastTimestamp, as the event correlator does. Failed writes are logged and dropped, as upstream.
/// </summary>
internal sealed class EventRecorder
{
    const int CacheSize = 4096;

    readonly IKubernetes _client;
    readonly TextWriter _log;
    readonly Channel<Corev1Event> _queue = Channel.CreateUnbounded<Corev1Event>(new() { SingleReader = true });
    readonly Dictionary<string, (string Namespace, string Name, int Count)> _seen = new(StringComparer.Ordinal);
    readonly Task _writer;

    public EventRecorder(IKubernetes client, TextWriter log)
    {
        _client = client;
        _log = log;
        _writer = Task.Run(WriteAllAsync);
    }

    public void Pod(V1Pod pod, string node, string type, string reason, string message, string? container = null) => Enqueue(new V1ObjectReference
    {
        Kind = "Pod",
        ApiVersion = "v1",
        NamespaceProperty = pod.Metadata.NamespaceProperty,
        Name = pod.Metadata.Name,
        Uid = pod.Metadata.Uid,
        ResourceVersion = pod.Metadata.ResourceVersion,
        FieldPath = container is null ? null : $"spec.containers{{{container}}}",
    }, node, type, reason, message);

    /// <summary>Node events: the kubelet refers to its node by name, with the name as UID, in the default namespace.</summary>
    public void Node(string node, string type, string reason, string message) =>
        Enqueue(new V1ObjectReference { Kind = "Node", Name = node, Uid = node }, node, type, reason, message);

    void Enqueue(V1ObjectReference involved, string node, string type, string reason, string message)
    {
        var now = DateTime.UtcNow;
        _queue.Writer.TryWrite(new Corev1Event
        {
            Metadata = new V1ObjectMeta
            {
                Name = $"{involved.Name}.{(now - DateTime.UnixEpoch).Ticks * 100:x}",
                NamespaceProperty = string.IsNullOrEmpty(involved.NamespaceProperty) ? "default" : involved.NamespaceProperty,
            },
            InvolvedObject = involved,
            Type = type,
            Reason = reason,
            Message = message,
            Source = new V1EventSource { Component = "kubelet", Host = node },
            ReportingComponent = "kubelet",
            ReportingInstance = node,
            FirstTimestamp = now,
            LastTimestamp = now,
            Count = 1,
        });
    }

    public async Task StopAsync()
    {
        _queue.Writer.TryComplete();
        await _writer;
    }

    async Task WriteAllAsync()
    {
        await foreach (var e in _queue.Reader.ReadAllAsync())
        {
            var o = e.InvolvedObject;
            var key = string.Join('\u0000', e.Source.Host, o.Kind, o.NamespaceProperty, o.Name, o.Uid, o.FieldPath, e.Type, e.Reason, e.Message);
            try
            {
                if (_seen.TryGetValue(key, out var prior))
                {
                    var count = prior.Count + 1;
                    var patch = KubernetesJson.Serialize(new { count, lastTimestamp = e.LastTimestamp, message = e.Message });
                    try
                    {
                        await _client.CoreV1.PatchNamespacedEventAsync(new V1Patch(patch, V1Patch.PatchType.StrategicMergePatch), prior.Name, prior.Namespace);
                        _seen[key] = (prior.Namespace, prior.Name, count);
                        continue;
                    }
                    catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.NotFound)
                    {
                        _seen.Remove(key);
                    }
                }
                await _client.CoreV1.CreateNamespacedEventAsync(e, e.Metadata.NamespaceProperty);
                if (_seen.Count >= CacheSize) _seen.Clear();
                _seen[key] = (e.Metadata.NamespaceProperty, e.Metadata.Name, 1);
            }
            catch (Exception ex) when (ex is HttpOperationException or HttpRequestException or IOException or TaskCanceledException)
            {
                _log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"kubelet: dropping event {e.Reason} on {o.Kind} {o.NamespaceProperty}/{o.Name}: {ex.Message}"));
            }
        }
    }
}
