using System.Net;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using k8s.Models;
using KubeRescue.Lab.Components.Nodes;

namespace KubeRescue.Lab.Faults;

/// <summary>
/// The fault "the component crashes on one node": something on that host that the binary needs is broken, so its
/// instance there exits at start and crash-loops, while the other masters run it fine. Caused through the Node's
/// <see cref="KubeletFleet.CrashAnnotation"/> (which kubectl can set too), which the lab's kubelets obey. A rescue
/// pod placed on that node crash-loops as well: the node is the wrong place for it.
/// </summary>
public static class NodeCrashFault
{
    /// <summary>
    /// Crashes the components (app names, which are also their binaries' names) on <paramref name="node"/>; returns
    /// the pod of each that crashed there, or none when no instance ran there (any that starts there later crashes).
    /// It polls and keeps its deadline on <paramref name="clock"/> (the lab's, when it runs in the lab's process; else the system's).
    /// </summary>
    public static async Task<IReadOnlyList<V1Pod>> RunAsync(IKubernetes client, string node, IReadOnlyList<string> apps, TimeSpan poll, TimeSpan timeout,
        Action<string> progress, CancellationToken ct, TimeProvider? clock = null)
    {
        clock ??= TimeProvider.System;
        V1Node current;
        try
        {
            current = await client.CoreV1.ReadNodeAsync(node, cancellationToken: ct);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            throw new ArgumentException($"node {node} does not exist");
        }
        var crashing = ((current.Metadata.Annotations is { } a && a.TryGetValue(KubeletFleet.CrashAnnotation, out var v) ? v : ""))
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
        crashing.AddRange(apps.Except(crashing));
        var patch = new JsonObject
        {
            ["metadata"] = new JsonObject { ["annotations"] = new JsonObject { [KubeletFleet.CrashAnnotation] = string.Join(",", crashing) } },
        };
        await client.CoreV1.PatchNodeAsync(new V1Patch(patch.ToJsonString(), V1Patch.PatchType.MergePatch), node, cancellationToken: ct);
        progress($"node {node}: {string.Join(" and ", apps)} crash there from now on");

        // Wait until each instance that ran there has crashed, so that the lab is in its broken state when this returns.
        var crashed = new List<V1Pod>();
        var deadline = clock.GetUtcNow() + timeout;
        foreach (var app in apps)
        {
            while (true)
            {
                var there = (await client.CoreV1.ListNamespacedPodAsync("kube-system", labelSelector: $"k8s-app={app}",
                    fieldSelector: $"spec.nodeName={node}", cancellationToken: ct)).Items.Where(p => p.Metadata.DeletionTimestamp is null).ToList();
                if (there.Count == 0)
                {
                    progress($"no {app} pod runs on {node} now; one that starts there will crash");
                    break;
                }
                if (there.FirstOrDefault(p => Crash.Of(p) is not null) is { } pod)
                {
                    progress($"pod kube-system/{pod.Metadata.Name} on {node} crashes: {Crash.Of(pod)}");
                    crashed.Add(pod);
                    break;
                }
                if (clock.GetUtcNow() >= deadline) throw new TimeoutException($"the {app} pod on {node} did not crash within {timeout.TotalSeconds:0} s: is the node's kubelet running?");
                await Task.Delay(poll, clock, ct);
            }
        }
        return crashed;
    }

    /// <summary>Mends the node: nothing crashes there any more (the kubelet restarts what crash-looped after its back-off).</summary>
    public static Task MendAsync(IKubernetes client, string node, CancellationToken ct)
    {
        var patch = new JsonObject { ["metadata"] = new JsonObject { ["annotations"] = new JsonObject { [KubeletFleet.CrashAnnotation] = null } } };
        return client.CoreV1.PatchNodeAsync(new V1Patch(patch.ToJsonString(), V1Patch.PatchType.MergePatch), node, cancellationToken: ct);
    }
}
