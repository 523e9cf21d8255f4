using k8s.Models;

namespace KubeRescue.Lab.Components.Scheduler;

/// <summary>Resource amounts as the scheduler counts them: cpu in millicores, everything else in whole units (bytes for memory).</summary>
static class Resources
{
    public const string Cpu = "cpu";
    public const string Memory = "memory";
    public const string Pods = "pods";

    // schedutil's defaults for a container that requests nothing, used only when scoring.
    const long DefaultMilliCpu = 100;
    const long DefaultMemory = 200L * 1024 * 1024;

    public static long Amount(string resource, ResourceQuantity quantity)
    {
        var value = quantity.ToDecimal();
        return resource == Cpu ? (long)Math.Ceiling(value * 1000) : (long)Math.Ceiling(value);
    }

    public static Dictionary<string, long> Of(IDictionary<string, ResourceQuantity>? list)
    {
        var result = new Dictionary<string, long>(StringComparer.Ordinal);
        if (list is null) return result;
        foreach (var (name, quantity) in list) result[name] = Amount(name, quantity);
        return result;
    }

    /// <summary>
    /// A pod's effective request: the sum over its containers, raised to any single init container's larger
    /// request (init containers run one at a time), plus the pod overhead.
    /// </summary>
    public static Dictionary<string, long> Requests(V1Pod pod, bool nonZero = false)
    {
        var sum = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var c in pod.Spec.Containers ?? [])
        {
            var requests = Of(c.Resources?.Requests);
            if (nonZero)
            {
                requests.TryAdd(Cpu, DefaultMilliCpu);
                requests.TryAdd(Memory, DefaultMemory);
            }
            foreach (var (name, amount) in requests) sum[name] = sum.GetValueOrDefault(name) + amount;
        }
        foreach (var c in pod.Spec.InitContainers ?? [])
            foreach (var (name, amount) in Of(c.Resources?.Requests))
                if (amount > sum.GetValueOrDefault(name)) sum[name] = amount;
        foreach (var (name, amount) in Of(pod.Spec.Overhead)) sum[name] = sum.GetValueOrDefault(name) + amount;
        return sum;
    }
}
