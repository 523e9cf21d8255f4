using k8s;
using k8s.Models;

namespace KubeRescue.Lab.Faults;

/// <summary>
/// The fault "every pod of the component is deleted", caused through the API as an operator would with kubectl.
/// One round is not enough on a real cluster, nor here: a terminating scheduler can still place its own
/// replacements, and a terminating controller-manager can still create them (its successors then wait out the
/// lease it did not release). So the fault deletes, round after round, every pod of the component that could run,
/// until none is left running or placed and none is terminating, and that holds for <paramref name="settle"/>.
/// Afterwards the cluster is where a real one would be: scheduler replacements Pending with no node, or no
/// controller-manager pods at all, and nothing that will change that.
/// </summary>
public static class DeletePodsFault
{
    public static readonly IReadOnlyDictionary<string, string> Components = new Dictionary<string, string>
    {
        ["scheduler"] = "kube-scheduler",
        ["controller-manager"] = "kube-controller-manager",
    };

    /// <summary>
    /// Breaks the components (app names such as kube-scheduler); returns how many pods it deleted. Pods for which
    /// <paramref name="spare"/> says true are left alone (the bad-flag fault keeps its crash-looping pods). It polls
    /// and measures the quiet on <paramref name="clock"/> (the lab's, when it runs in the lab's process; else the system's).
    /// </summary>
    public static async Task<int> RunAsync(IKubernetes client, IReadOnlyList<string> apps, TimeSpan poll, TimeSpan settle, Action<string> progress,
        CancellationToken ct, Func<V1Pod, bool>? spare = null, TimeProvider? clock = null)
    {
        spare ??= _ => false;
        clock ??= TimeProvider.System;
        var deleted = 0;
        DateTimeOffset? quietSince = null;
        while (true)
        {
            var live = 0;
            var terminating = 0;
            foreach (var app in apps)
            {
                var pods = (await client.CoreV1.ListNamespacedPodAsync("kube-system", labelSelector: $"k8s-app={app}", cancellationToken: ct)).Items;
                terminating += pods.Count(p => p.Metadata.DeletionTimestamp is not null);
                foreach (var pod in pods.Where(p => CouldRun(p) && !spare(p)))
                {
                    live++;
                    try
                    {
                        await client.CoreV1.DeleteNamespacedPodAsync(pod.Metadata.Name, "kube-system", cancellationToken: ct);
                        deleted++;
                        progress($"deleted pod kube-system/{pod.Metadata.Name} on {pod.Spec.NodeName}");
                    }
                    catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
                    {
                    }
                }
            }
            if (live == 0 && terminating == 0)
            {
                quietSince ??= clock.GetUtcNow();
                if (clock.GetUtcNow() - quietSince >= settle) return deleted;
            }
            else quietSince = null;
            await Task.Delay(poll, clock, ct);
        }
    }

    /// <summary>A pod that runs or will: placed on a node, not terminating, not finished.</summary>
    static bool CouldRun(V1Pod pod) =>
        pod.Metadata.DeletionTimestamp is null && !string.IsNullOrEmpty(pod.Spec.NodeName) && pod.Status?.Phase is not ("Succeeded" or "Failed");
}
