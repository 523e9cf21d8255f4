using KubeRescue.Lab.Components;
using System.Globalization;
using k8s.Models;

namespace KubeRescue.Lab.Components.Nodes;

/// <summary>
/// The kubelet's own admission (pkg/kubelet/lifecycle/predicate.go over the scheduler's AdmissionCheck): resources
/// fit, required node affinity and nodeSelector, NodeName, host ports, then untolerated NoExecute taints. NoSchedule
/// taints and inter-pod (anti-)affinity are the scheduler's business and are not checked. The first failure wins,
/// with upstream's reason and message; the caller prefixes "Pod was rejected: ".
/// </summary>
public static class Admission
{
    public sealed record Rejection(string Reason, string Message);

    public const string NodeAffinityReason = "node(s) didn't match Pod's node affinity/selector";
    public const string NodeNameReason = "node(s) didn't match the requested node name";
    public const string NodePortsReason = "node(s) didn't have free ports for the requested pod ports";
    public const string TaintReason = "node(s) had taints that the pod didn't tolerate";

    /// <param name="others">the pods already admitted to the node and still active</param>
    public static Rejection? Check(V1Pod pod, V1Node node, IReadOnlyCollection<V1Pod> others)
    {
        if (Resources(pod, node, others) is { } outOf) return outOf;
        if (!NodeMatching.Matches(pod.Spec, node)) return Predicate("NodeAffinity", NodeAffinityReason);
        if (!string.IsNullOrEmpty(pod.Spec.NodeName) && pod.Spec.NodeName != node.Metadata.Name) return Predicate("NodeName", NodeNameReason);
        if (HostPortsConflict(pod, others)) return Predicate("NodePorts", NodePortsReason);
        var untolerated = (node.Spec?.Taints ?? []).Any(t => t.Effect == "NoExecute" && !NodeMatching.Tolerates(pod.Spec.Tolerations, t));
        if (untolerated) return Predicate("TaintToleration", TaintReason);
        return null;
    }

    static Rejection Predicate(string name, string reason) => new(name, $"Predicate {name} failed: {reason}");

    /// <summary>noderesources.Fits: pod count first, then cpu (millicores) and memory (bytes); zero requests always fit.</summary>
    static Rejection? Resources(V1Pod pod, V1Node node, IReadOnlyCollection<V1Pod> others)
    {
        var allocatable = node.Status?.Allocatable ?? new Dictionary<string, ResourceQuantity>();
        var allowedPods = allocatable.TryGetValue("pods", out var p) ? (long)p.ToDecimal() : 0;
        if (others.Count + 1 > allowedPods) return OutOf("pods", 1, others.Count, allowedPods);
        var (cpu, memory) = Requests(pod);
        long usedCpu = 0, usedMemory = 0;
        foreach (var other in others)
        {
            var (c, m) = Requests(other);
            usedCpu += c;
            usedMemory += m;
        }
        var cpuCapacity = allocatable.TryGetValue("cpu", out var q) ? MilliValue(q) : 0;
        var memoryCapacity = allocatable.TryGetValue("memory", out var mq) ? Value(mq) : 0;
        if (cpu > 0 && cpu > cpuCapacity - usedCpu) return OutOf("cpu", cpu, usedCpu, cpuCapacity);
        if (memory > 0 && memory > memoryCapacity - usedMemory) return OutOf("memory", memory, usedMemory, memoryCapacity);
        return null;
    }

    static Rejection OutOf(string resource, long requested, long used, long capacity) =>
        new($"OutOf{resource}", string.Create(CultureInfo.InvariantCulture,
            $"Node didn't have enough resource: {resource}, requested: {requested}, used: {used}, capacity: {capacity}"));

    /// <summary>The pod's effective request: the larger of the containers' sum and any one init container, plus overhead.</summary>
    public static (long MilliCpu, long Memory) Requests(V1Pod pod)
    {
        long cpu = 0, memory = 0;
        foreach (var c in pod.Spec.Containers ?? [])
        {
            cpu += MilliValue(c.Resources?.Requests, "cpu");
            memory += Value(c.Resources?.Requests, "memory");
        }
        foreach (var c in pod.Spec.InitContainers ?? [])
        {
            cpu = Math.Max(cpu, MilliValue(c.Resources?.Requests, "cpu"));
            memory = Math.Max(memory, Value(c.Resources?.Requests, "memory"));
        }
        cpu += MilliValue(pod.Spec.Overhead, "cpu");
        memory += Value(pod.Spec.Overhead, "memory");
        return (cpu, memory);
    }

    static long MilliValue(IDictionary<string, ResourceQuantity>? list, string name) =>
        list is not null && list.TryGetValue(name, out var q) ? MilliValue(q) : 0;

    static long Value(IDictionary<string, ResourceQuantity>? list, string name) =>
        list is not null && list.TryGetValue(name, out var q) ? Value(q) : 0;

    static long MilliValue(ResourceQuantity q) => (long)Math.Ceiling(q.ToDecimal() * 1000);

    static long Value(ResourceQuantity q) => (long)Math.Ceiling(q.ToDecimal());

    /// <summary>
    /// The host ports a pod takes. The real API server defaults hostPort to containerPort for hostNetwork pods, so
    /// the kubelet sees them there; reading them that way keeps this right whatever the stored object says.
    /// </summary>
    public static IEnumerable<(string Protocol, string HostIP, int Port)> HostPorts(V1Pod pod)
    {
        var hostNetwork = pod.Spec.HostNetwork == true;
        foreach (var c in (pod.Spec.InitContainers ?? []).Concat(pod.Spec.Containers ?? []))
            foreach (var port in c.Ports ?? [])
            {
                var hostPort = port.HostPort is > 0 ? port.HostPort.Value : hostNetwork ? port.ContainerPort : 0;
                if (hostPort <= 0) continue;
                yield return (port.Protocol ?? "TCP", string.IsNullOrEmpty(port.HostIP) ? "0.0.0.0" : port.HostIP, hostPort);
            }
    }

    static bool HostPortsConflict(V1Pod pod, IEnumerable<V1Pod> others)
    {
        var wanted = HostPorts(pod).ToList();
        if (wanted.Count == 0) return false;
        var used = others.SelectMany(HostPorts).ToList();
        return wanted.Any(w => used.Any(u => u.Protocol == w.Protocol && u.Port == w.Port
            && (u.HostIP == "0.0.0.0" || w.HostIP == "0.0.0.0" || u.HostIP == w.HostIP)));
    }
}
