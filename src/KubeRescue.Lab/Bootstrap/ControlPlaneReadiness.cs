using k8s;
using k8s.Models;

namespace KubeRescue.Lab.Bootstrap;

/// <summary>
/// When a self-hosted component counts as up for the lab's "ready" line: its Deployment is Available and its
/// Lease is held, unexpired, by one of its own pods (the holder identity is &lt;hostname&gt;_&lt;uuid&gt;, and a pod's
/// hostname is its name unless it uses the host network, when it is its node's name). Expiry is judged on the lab's clock.
/// </summary>
public static class ControlPlaneReadiness
{
    public static readonly IReadOnlyList<string> Components = ["kube-scheduler", "kube-controller-manager"];

    public static async Task<string?> WhyNotReadyAsync(IKubernetes client, string component, TimeProvider clock, CancellationToken ct)
    {
        var deployment = await client.AppsV1.ReadNamespacedDeploymentAsync(component, "kube-system", cancellationToken: ct);
        var available = deployment.Status?.Conditions?.FirstOrDefault(c => c.Type == "Available");
        if (available?.Status != "True") return $"deployment {component} is not Available";
        V1Lease lease;
        try
        {
            lease = await client.CoordinationV1.ReadNamespacedLeaseAsync(component, "kube-system", cancellationToken: ct);
        }
        catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return $"lease {component} does not exist";
        }
        var holder = lease.Spec.HolderIdentity;
        if (string.IsNullOrEmpty(holder)) return $"lease {component} has no holder";
        var renewed = lease.Spec.RenewTime ?? lease.Spec.AcquireTime;
        if (renewed is null || renewed.Value.AddSeconds(lease.Spec.LeaseDurationSeconds ?? 15) < clock.GetUtcNow().UtcDateTime) return $"lease {component} has expired";
        var host = holder.Split('_')[0];
        var selector = string.Join(",", deployment.Spec.Selector.MatchLabels.Select(kv => $"{kv.Key}={kv.Value}"));
        var pods = await client.CoreV1.ListNamespacedPodAsync("kube-system", labelSelector: selector, cancellationToken: ct);
        var holderPod = pods.Items.FirstOrDefault(p => p.Status?.Phase == "Running" && p.Metadata.DeletionTimestamp is null
            && (p.Metadata.Name == host || (p.Spec.HostNetwork == true && p.Spec.NodeName == host)));
        return holderPod is null ? $"lease {component} is held by {holder}, not by a running {component} pod" : null;
    }

    /// <summary>Waits until every component is ready, looking every <paramref name="poll"/> on <paramref name="clock"/>; reports each new reason for waiting.</summary>
    public static async Task WaitAsync(IKubernetes client, TimeSpan poll, TimeProvider clock, Action<string> progress, CancellationToken ct)
    {
        string? last = null;
        while (true)
        {
            string? why = null;
            foreach (var component in Components)
            {
                try
                {
                    why = await WhyNotReadyAsync(client, component, clock, ct);
                }
                catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
                {
                    why = $"deployment {component} does not exist";
                }
                if (why is not null) break;
            }
            if (why is null) return;
            if (why != last) progress(why);
            last = why;
            await Task.Delay(poll, clock, ct);
        }
    }
}
