using System.Net;
using KubeRescue.Kube;
using KubeRescue.Kubernetes.Client;
using k8s.Autorest;
using k8s.Models;
using k8s;

namespace KubeRescue.Recovery;

/// <summary>Reading, watching and removing one named pod, as the steps need it.</summary>
static class RescuePods
{
    public static Task<V1Pod?> ReadAsync(IKubernetes client, string ns, string name, CancellationToken ct) =>
        Reads.OrNullAsync(() => client.CoreV1.ReadNamespacedPodAsync(name, ns, cancellationToken: ct));

    /// <summary>Deletes this very pod (its UID as a precondition: never a namesake created since) and waits until it is gone.</summary>
    public static async Task DeleteAsync(RecoveryRun run, V1Pod pod, CancellationToken ct)
    {
        var (ns, name) = (pod.Metadata.NamespaceProperty, pod.Metadata.Name);
        if (!PodState.IsTerminating(pod))
        {
            try
            {
                await run.Client.CoreV1.DeleteNamespacedPodAsync(name, ns,
                    new V1DeleteOptions { Preconditions = new V1Preconditions { Uid = pod.Metadata.Uid } }, cancellationToken: ct);
                run.Progress($"deleted pod {ns}/{name} on {pod.Spec.NodeName}");
            }
            catch (HttpOperationException e) when (e.Response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Conflict)
            {
                // Gone already, or a namesake that is not ours: either way this pod is not there.
            }
        }
        await WaitGoneAsync(run, pod, ct);
        run.Removed(pod);
    }

    public static async Task WaitGoneAsync(RecoveryRun run, V1Pod pod, CancellationToken ct)
    {
        var signal = new ChangeSignal();
        await using var watched = signal.Follow(Informers.Pods(run.Client, pod.Metadata.NamespaceProperty, fieldSelector: $"metadata.name={pod.Metadata.Name}", options: run.Watches));
        await Waits.UntilAsync(signal,
            () => watched.IsSynced && !watched.Items.Any(p => p.Metadata.Uid == pod.Metadata.Uid) ? "gone" : null,
            run.Deadline, run.Clock, $"pod {pod.Metadata.NamespaceProperty}/{pod.Metadata.Name} to go",
            () => $"it is still there on {pod.Spec.NodeName} (is that node's kubelet running?)", ct);
    }
}
