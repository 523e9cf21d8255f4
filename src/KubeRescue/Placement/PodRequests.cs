using k8s.Models;

namespace KubeRescue.Placement;

/// <summary>
/// A pod's effective resource requests, as upstream's resource helpers compute them for admission: the containers'
/// sum (restartable init containers, sidecars, run beside them), at least as much as any one init container needs
/// with the sidecars started before it, plus the pod overhead; pod-level requests, where set, override cpu and
/// memory. A container's limit stands for its missing request, as the API server's defaulting makes it.
/// </summary>
internal static class PodRequests
{
    /// <summary>cpu in millicores, every other resource in its base unit.</summary>
    public static Dictionary<string, long> Of(V1PodSpec spec)
    {
        var sum = new Dictionary<string, long>(StringComparer.Ordinal);
        var initMax = new Dictionary<string, long>(StringComparer.Ordinal);
        var sidecars = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var init in spec.InitContainers ?? [])
        {
            var own = Container(init);
            if (init.RestartPolicy == "Always")
            {
                Add(sum, own);
                Add(sidecars, own);
                // A sidecar also needs room beside the ones started before it.
                Max(initMax, sidecars);
            }
            else
            {
                var during = new Dictionary<string, long>(own, StringComparer.Ordinal);
                Add(during, sidecars);
                Max(initMax, during);
            }
        }
        foreach (var c in spec.Containers ?? []) Add(sum, Container(c));
        Max(sum, initMax);
        foreach (var (name, quantity) in spec.Resources?.Requests ?? new Dictionary<string, ResourceQuantity>())
            if (name is "cpu" or "memory") sum[name] = Amount(name, quantity);
        foreach (var (name, quantity) in spec.Overhead ?? new Dictionary<string, ResourceQuantity>())
            sum[name] = sum.GetValueOrDefault(name) + Amount(name, quantity);
        return sum;
    }

    public static long Amount(string resource, ResourceQuantity quantity) =>
        (long)Math.Ceiling(quantity.ToDecimal() * (resource == "cpu" ? 1000 : 1));

    static Dictionary<string, long> Container(V1Container c)
    {
        var requests = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (name, quantity) in c.Resources?.Limits ?? new Dictionary<string, ResourceQuantity>()) requests[name] = Amount(name, quantity);
        foreach (var (name, quantity) in c.Resources?.Requests ?? new Dictionary<string, ResourceQuantity>()) requests[name] = Amount(name, quantity);
        return requests;
    }

    static void Add(Dictionary<string, long> into, Dictionary<string, long> more)
    {
        foreach (var (name, amount) in more) into[name] = into.GetValueOrDefault(name) + amount;
    }

    static void Max(Dictionary<string, long> into, Dictionary<string, long> other)
    {
        foreach (var (name, amount) in other) into[name] = Math.Max(into.GetValueOrDefault(name), amount);
    }
}
