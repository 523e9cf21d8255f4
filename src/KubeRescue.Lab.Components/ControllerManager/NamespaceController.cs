using System.Net;
using KubeRescue.Kubernetes.Client;
using KubeRescue.Lab.Components.ControllerManager.Support;
using KubeRescue.Lab.Components;
using k8s.Autorest;
using k8s.Models;
using k8s;

namespace KubeRescue.Lab.Components.ControllerManager;

/// <summary>
/// The namespace controller (pkg/controller/namespace): a namespace with a deletionTimestamp and the "kubernetes"
/// finalizer has all its content deleted (every namespaced kind the lab serves, live reads rather than caches, as
/// upstream's deleter uses discovery and the API); once nothing is left it clears that finalizer through
/// namespaces/finalize and the API server lets the namespace go. Content that is still terminating (pods waiting
/// for their kubelet, objects held by finalizers) is checked again after half the estimated time, plus a second.
/// </summary>
public sealed class NamespaceController : IController
{
    const string Finalizer = "kubernetes";
    /// <summary>upstream's estimate for content held by finalizers.</summary>
    const long FinalizerEstimateSeconds = 15;

    /// <summary>Resources whose discovery lists no deletecollection: their objects are deleted one by one.</summary>
    static readonly HashSet<ApiResource> WithoutDeleteCollection = [ApiResources.Services];

    public string Name => "namespace";

    public async Task RunAsync(ControllerContext context, CancellationToken stop)
    {
        var namespaces = context.Informers.Namespaces;
        var queue = new WorkQueue<string>(context.Timing, context.Clock);
        void Enqueue(V1Namespace ns) { if (ns.Metadata.DeletionTimestamp is not null) queue.Add(ns.Metadata.Name); }
        namespaces.Added += Enqueue;
        namespaces.Updated += (_, ns) => Enqueue(ns);
        await namespaces.Synced.WaitAsync(stop);
        foreach (var ns in namespaces.Items) Enqueue(ns);
        await queue.RunAsync(async (name, ct) =>
        {
            var ns = namespaces.Get(null, name);
            if (ns?.Metadata.DeletionTimestamp is null || !(ns.Spec?.Finalizers?.Contains(Finalizer) ?? false)) return true;
            try
            {
                var estimate = await DeleteContentAsync(context, name, ct);
                if (estimate is null) return false;
                if (estimate > 0)
                {
                    queue.AddAfter(name, context.Timing.Seconds(estimate.Value / 2 + 1), ct);
                    return true;
                }
                await FinalizeAsync(context, name, ct);
                return true;
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
            {
                return true;
            }
            catch (HttpOperationException e)
            {
                context.Log.WriteLine($"namespace: {name}: {(int)e.Response.StatusCode} {e.Response.Content}");
                return false;
            }
        }, workers: 10, stop);
    }

    /// <summary>
    /// Deletes what the namespace holds and says how long until it is gone: 0 when empty, seconds to wait when
    /// something is still terminating, null when something is left for no known reason (retry with back-off).
    /// </summary>
    static async Task<long?> DeleteContentAsync(ControllerContext context, string ns, CancellationToken ct)
    {
        long estimate = 0;
        var unexplained = false;
        var metadata = new MetadataClient(context.Client);
        foreach (var kind in ApiResources.All.Where(r => r.Namespaced))
        {
            if (!WithoutDeleteCollection.Contains(kind)) await metadata.DeleteCollectionAsync(kind, ns, ct);
            else
            {
                foreach (var meta in await metadata.ListAsync(kind, ns, ct))
                {
                    try { await metadata.DeleteAsync(kind, ns, meta.Name, new V1DeleteOptions(), ct); }
                    catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound) { }
                }
            }
            var left = await metadata.ListAsync(kind, ns, ct);
            if (left.Count == 0) continue;
            context.Log.WriteLine($"namespace: {ns}: {left.Count} {kind.Kind} object(s) remaining");
            if (kind.Kind == "Pod") estimate = Math.Max(estimate, await PodTerminationEstimateAsync(context.Client, ns, ct));
            else if (left.Any(m => m.Finalizers is { Count: > 0 })) estimate = Math.Max(estimate, FinalizerEstimateSeconds);
            else unexplained = true;
        }
        return estimate > 0 ? estimate : unexplained ? null : 0;
    }

    /// <summary>estimateGracefulTerminationForPods: the longest grace period of the pods still running.</summary>
    static async Task<long> PodTerminationEstimateAsync(IKubernetes client, string ns, CancellationToken ct)
    {
        var pods = await client.CoreV1.ListNamespacedPodAsync(ns, cancellationToken: ct);
        long estimate = 0;
        foreach (var pod in pods.Items)
        {
            if (pod.Status?.Phase is "Succeeded" or "Failed") continue;
            var grace = pod.Metadata.DeletionGracePeriodSeconds ?? pod.Spec?.TerminationGracePeriodSeconds ?? 30;
            estimate = Math.Max(estimate, grace);
        }
        return estimate;
    }

    static async Task FinalizeAsync(ControllerContext context, string name, CancellationToken ct)
    {
        var ns = await context.Client.CoreV1.ReadNamespaceAsync(name, cancellationToken: ct);
        ns.Spec ??= new V1NamespaceSpec();
        ns.Spec.Finalizers = ns.Spec.Finalizers?.Where(f => f != Finalizer).ToList();
        await context.Client.CoreV1.ReplaceNamespaceFinalizeAsync(ns, name, cancellationToken: ct);
        context.Log.WriteLine($"namespace: {name}: content deleted, finalized");
    }
}
