using k8s.Models;

namespace KubeRescue.Kubernetes.Scheduling;

/// <summary>
/// Resource amounts as the scheduler and the kubelet count them (cpu in millicores, every other resource in its
/// base unit, rounded up), and a pod's effective requests as component-helpers' resource.PodRequests computes
/// them from its spec.
/// </summary>
public static class PodResources
{
    public const string Cpu = "cpu";
    public const string Memory = "memory";
    public const string EphemeralStorage = "ephemeral-storage";
    public const string Pods = "pods";

    /// <summary>
    /// What the scheduler's scoring counts for a container that requests no cpu or memory (schedutil's
    /// DefaultMilliCPURequest and DefaultMemoryRequest), as NonMissingContainerRequests.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, long> ScoringDefaults = new Dictionary<string, long>(StringComparer.Ordinal)
    {
        [Cpu] = 100,
        [Memory] = 200L * 1024 * 1024,
    };

    public static long Amount(string resource, ResourceQuantity quantity) =>
        (long)Math.Ceiling(quantity.ToDecimal() * (resource == Cpu ? 1000 : 1));

    public static Dictionary<string, long> Of(IDictionary<string, ResourceQuantity>? list)
    {
        var amounts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (name, quantity) in list ?? new Dictionary<string, ResourceQuantity>()) amounts[name] = Amount(name, quantity);
        return amounts;
    }

    /// <summary>
    /// The pod's effective requests: its containers' sum (restartable init containers, the sidecars, run beside them)
    /// raised to what any one init container needs with the sidecars started before it; pod-level requests, where
    /// set, stand for cpu, memory and hugepages; then the pod overhead. A container's limit stands for its missing
    /// request, as the API server's defaulting makes it, so a pod not created yet (a rendered rescue pod) counts as
    /// it will once stored. <paramref name="nonMissing"/> fills a container's requests it leaves unset (scoring's
    /// <see cref="ScoringDefaults"/>).
    /// </summary>
    public static Dictionary<string, long> Requests(V1PodSpec spec, IReadOnlyDictionary<string, long>? nonMissing = null)
    {
        var sum = new Dictionary<string, long>(StringComparer.Ordinal);
        var initMax = new Dictionary<string, long>(StringComparer.Ordinal);
        var sidecars = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var c in spec.Containers ?? []) Add(sum, Container(c, nonMissing));
        foreach (var init in spec.InitContainers ?? [])
        {
            var own = Container(init, nonMissing);
            if (init.RestartPolicy == "Always")
            {
                Add(sum, own);
                Add(sidecars, own);
                Max(initMax, sidecars);
            }
            else
            {
                Add(own, sidecars);
                Max(initMax, own);
            }
        }
        Max(sum, initMax);
        foreach (var (name, quantity) in spec.Resources?.Requests ?? new Dictionary<string, ResourceQuantity>())
            if (IsPodLevel(name)) sum[name] = Amount(name, quantity);
        Add(sum, Of(spec.Overhead));
        return sum;
    }

    /// <summary>The resources pod-level requests may set (PodLevelResources).</summary>
    static bool IsPodLevel(string name) => name is Cpu or Memory || name.StartsWith("hugepages-", StringComparison.Ordinal);

    static Dictionary<string, long> Container(V1Container c, IReadOnlyDictionary<string, long>? nonMissing)
    {
        var requests = Of(c.Resources?.Limits);
        foreach (var (name, quantity) in c.Resources?.Requests ?? new Dictionary<string, ResourceQuantity>()) requests[name] = Amount(name, quantity);
        foreach (var (name, amount) in nonMissing ?? new Dictionary<string, long>()) requests.TryAdd(name, amount);
        return requests;
    }

    static void Add(Dictionary<string, long> into, IReadOnlyDictionary<string, long> more)
    {
        foreach (var (name, amount) in more) into[name] = into.GetValueOrDefault(name) + amount;
    }

    static void Max(Dictionary<string, long> into, IReadOnlyDictionary<string, long> other)
    {
        foreach (var (name, amount) in other) into[name] = Math.Max(into.GetValueOrDefault(name), amount);
    }
}
