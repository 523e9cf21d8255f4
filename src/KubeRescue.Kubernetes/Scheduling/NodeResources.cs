namespace KubeRescue.Kubernetes.Scheduling;

/// <summary>One resource a node lacks for a pod, as noderesources' InsufficientResource reports it.</summary>
public sealed record InsufficientResource(string Resource, long Requested, long Used, long Capacity)
{
    /// <summary>The scheduler's reason: <c>Too many pods</c>, <c>Insufficient cpu</c>.</summary>
    public string Reason => Resource == PodResources.Pods ? "Too many pods" : $"Insufficient {Resource}";

    /// <summary>The kubelet's admission reason: <c>OutOfcpu</c>, <c>OutOfpods</c>.</summary>
    public string AdmissionReason => $"OutOf{Resource}";

    /// <summary>The kubelet's admission message.</summary>
    public string Message => $"Node didn't have enough resource: {Resource}, requested: {Requested}, used: {Used}, capacity: {Capacity}";
}

/// <summary>noderesources.Fits, as the scheduler's filter and the kubelet's admission both run it.</summary>
public static class NodeResources
{
    /// <summary>
    /// What the node lacks for a pod requesting <paramref name="request"/>: a place among its pods, then cpu, memory,
    /// ephemeral storage and every other resource asked for (by name), each against allocatable less what the
    /// node's pods request. A pod that requests nothing fits wherever a pod does.
    /// </summary>
    /// <param name="requested">the summed requests of the <paramref name="podCount"/> pods already on the node</param>
    public static IReadOnlyList<InsufficientResource> Insufficient(IReadOnlyDictionary<string, long> request,
        IReadOnlyDictionary<string, long> allocatable, IReadOnlyDictionary<string, long> requested, int podCount)
    {
        var lacking = new List<InsufficientResource>();
        var allowedPods = allocatable.GetValueOrDefault(PodResources.Pods);
        if (podCount + 1 > allowedPods) lacking.Add(new(PodResources.Pods, 1, podCount, allowedPods));
        var order = request.Keys.Where(k => k != PodResources.Pods)
            .OrderBy(k => k switch { PodResources.Cpu => 0, PodResources.Memory => 1, PodResources.EphemeralStorage => 2, _ => 3 })
            .ThenBy(k => k, StringComparer.Ordinal);
        foreach (var name in order)
        {
            var want = request[name];
            if (want <= 0) continue;
            var capacity = allocatable.GetValueOrDefault(name);
            var used = requested.GetValueOrDefault(name);
            if (want > capacity - used) lacking.Add(new(name, want, used, capacity));
        }
        return lacking;
    }

    /// <summary>The summed requests of pods.</summary>
    public static Dictionary<string, long> Requested(IEnumerable<k8s.Models.V1Pod> pods, IReadOnlyDictionary<string, long>? nonMissing = null)
    {
        var sum = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var pod in pods)
            foreach (var (name, amount) in PodResources.Requests(pod.Spec, nonMissing)) sum[name] = sum.GetValueOrDefault(name) + amount;
        return sum;
    }
}
