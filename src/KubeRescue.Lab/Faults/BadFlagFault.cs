using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace KubeRescue.Lab.Faults;

/// <summary>
/// The fault "a bad flag was rolled out": the component's Deployment gets a flag its binary rejects, so every pod
/// of the new revision exits 1 at start and crash-loops. A rolling update alone stalls harmlessly (the surge pod
/// never becomes available, the old pods keep running), so the fault then does what a reboot of the masters does:
/// the old revision's pods go (<see cref="DeletePodsFault"/>, sparing the new revision's). Afterwards the
/// Deployment's own template is the bad one, the old ReplicaSet's pods are gone or Pending, and only the last good
/// revision can bring the component back.
/// </summary>
public static class BadFlagFault
{
    /// <summary>A flag neither binary knows; its name says where it came from.</summary>
    public const string Flag = "--bad-flag-from-kube-rescue-lab";

    public const string ChangeCause = "kube-rescue lab break --mode bad-flag";

    /// <summary>
    /// Breaks the components (app names such as kube-scheduler); returns how many old pods it deleted. It polls and
    /// keeps its deadline on <paramref name="clock"/> (the lab's, when it runs in the lab's process; else the system's).
    /// </summary>
    public static async Task<int> RunAsync(IKubernetes client, IReadOnlyList<string> apps, TimeSpan poll, TimeSpan settle, TimeSpan timeout,
        Action<string> progress, CancellationToken ct, TimeProvider? clock = null)
    {
        clock ??= TimeProvider.System;
        foreach (var app in apps)
            if (await RollOutAsync(client, app, ct)) progress($"rolled out deployment kube-system/{app} with {Flag}");
            else progress($"deployment kube-system/{app} already has {Flag}");

        // The new revision must run and crash before the old pods go: without a scheduler it would only be Pending.
        var badHashes = new HashSet<string>(StringComparer.Ordinal);
        var deadline = clock.GetUtcNow() + timeout;
        foreach (var app in apps)
        {
            var crashing = await WaitForCrashAsync(client, app, poll, deadline, clock, ct)
                ?? throw new TimeoutException($"no pod of {app}'s new revision crashed within {timeout.TotalSeconds:0} s: are a scheduler and a controller-manager running?");
            badHashes.Add(crashing.Metadata.Labels["pod-template-hash"]);
            progress($"pod kube-system/{crashing.Metadata.Name} crashes: {Crash.Of(crashing)}");
        }
        return await DeletePodsFault.RunAsync(client, apps, poll, settle, progress, ct,
            spare: pod => pod.Metadata.Labels?.TryGetValue("pod-template-hash", out var hash) == true && badHashes.Contains(hash), clock);
    }

    static bool HasFlag(V1PodSpec spec) =>
        spec.Containers.Any(c => (c.Command ?? []).Concat(c.Args ?? []).Contains(Flag));

    /// <summary>Adds the flag to the first container (after its args, else its command); false when it is already there.</summary>
    static async Task<bool> RollOutAsync(IKubernetes client, string app, CancellationToken ct)
    {
        while (true)
        {
            var deployment = await client.AppsV1.ReadNamespacedDeploymentAsync(app, "kube-system", cancellationToken: ct);
            var spec = deployment.Spec.Template.Spec;
            if (HasFlag(spec)) return false;
            var container = spec.Containers[0];
            if (container.Args is { Count: > 0 } args) args.Add(Flag);
            else container.Command = [.. container.Command ?? [], Flag];
            deployment.Metadata.Annotations ??= new Dictionary<string, string>();
            deployment.Metadata.Annotations["kubernetes.io/change-cause"] = ChangeCause;
            try
            {
                await client.AppsV1.ReplaceNamespacedDeploymentAsync(deployment, app, "kube-system", cancellationToken: ct);
                return true;
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
            {
                // Someone else wrote it in between (the controller-manager's status): read it again.
            }
        }
    }

    /// <summary>A pod of the bad revision whose container has exited non-zero at least once; null if none did by the deadline.</summary>
    static async Task<V1Pod?> WaitForCrashAsync(IKubernetes client, string app, TimeSpan poll, DateTimeOffset deadline, TimeProvider clock, CancellationToken ct)
    {
        while (true)
        {
            var pods = (await client.CoreV1.ListNamespacedPodAsync("kube-system", labelSelector: $"k8s-app={app}", cancellationToken: ct)).Items;
            if (pods.FirstOrDefault(p => HasFlag(p.Spec) && Crash.Of(p) is not null) is { } crashed) return crashed;
            if (clock.GetUtcNow() >= deadline) return null;
            await Task.Delay(poll, clock, ct);
        }
    }
}
