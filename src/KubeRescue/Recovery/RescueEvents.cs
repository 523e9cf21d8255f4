using KubeRescue.Kubernetes.Client;
using k8s.Models;
using k8s;

namespace KubeRescue.Recovery;

/// <summary>
/// Events on the rescued workload (<c>RescueStarted</c>, <c>RescueCompleted</c>, <c>RescueFailed</c>), so that
/// <c>kubectl describe deployment kube-scheduler</c> tells the story to whoever looks next.
/// </summary>
public static class RescueEvents
{
    public const string Started = "RescueStarted";
    public const string Completed = "RescueCompleted";
    public const string Failed = "RescueFailed";

    /// <summary>Records one; a failure to record is reported, never fatal: the recovery matters more than its record.</summary>
    public static async Task RecordAsync(RecoveryRun run, Workload workload, string reason, string message, CancellationToken ct)
    {
        var now = run.Now;
        var ev = new Corev1Event
        {
            // Named as client-go names events: the object, a dot, the time in hexadecimal nanoseconds.
            Metadata = new V1ObjectMeta
            {
                Name = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{workload.Name}.{(now - DateTime.UnixEpoch).Ticks * 100:x}"),
                NamespaceProperty = workload.Namespace,
            },
            InvolvedObject = new V1ObjectReference
            {
                ApiVersion = "apps/v1", Kind = workload.Kind, Name = workload.Name, NamespaceProperty = workload.Namespace,
                Uid = workload.Uid,
            },
            Reason = reason,
            Message = message,
            Type = reason == Failed ? "Warning" : "Normal",
            Source = new V1EventSource { Component = RescueMetadata.FieldManager },
            ReportingComponent = RescueMetadata.FieldManager,
            ReportingInstance = Environment.MachineName,
            FirstTimestamp = now,
            LastTimestamp = now,
            Count = 1,
        };
        try
        {
            await run.Client.CoreV1.CreateNamespacedEventAsync(ev, workload.Namespace, cancellationToken: ct);
        }
        catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.Conflict)
        {
            // A retried create whose first try was applied: the event is there.
        }
        catch (Exception e) when (e is k8s.Autorest.HttpOperationException or HttpRequestException)
        {
            run.Warn($"could not record event {reason} on {workload.Description}: {ApiErrors.Describe(e)}");
        }
    }
}
