using k8s.Models;
using KubeRescue.Kubernetes.Scheduling;

namespace KubeRescue.Lab.Components.Scheduler;

/// <summary>A node and the pods the scheduler counts on it (bound, or assumed bound by this scheduler), as its cache holds them.</summary>
sealed class NodeInfo(V1Node node, IReadOnlyList<V1Pod> pods)
{
    public V1Node Node { get; } = node;
    public IReadOnlyList<V1Pod> Pods { get; } = pods;
    public string Name => Node.Metadata.Name;

    public Dictionary<string, long> Allocatable { get; } = PodResources.Of(node.Status?.Allocatable);

    public Dictionary<string, long> Requested { get; } = NodeResources.Requested(pods);

    /// <summary>Requests with the scoring defaults for containers that ask for nothing, as least-allocated scores them.</summary>
    public Dictionary<string, long> NonZeroRequested { get; } = NodeResources.Requested(pods, PodResources.ScoringDefaults);

    /// <summary>The pods with any pod affinity or anti-affinity term, whose own terms score every incoming pod.</summary>
    public IReadOnlyList<V1Pod> PodsWithAffinity { get; } = [.. pods.Where(p => p.Spec.Affinity?.PodAffinity is not null || p.Spec.Affinity?.PodAntiAffinity is not null)];

    /// <summary>The pods with a required anti-affinity term, which can keep an incoming pod out of their domain.</summary>
    public IReadOnlyList<V1Pod> PodsWithRequiredAntiAffinity { get; } =
        [.. pods.Where(p => p.Spec.Affinity?.PodAntiAffinity?.RequiredDuringSchedulingIgnoredDuringExecution is { Count: > 0 })];

    public string? Label(string key) => Node.Metadata.Labels?.TryGetValue(key, out var v) == true ? v : null;

    /// <summary>The node without the given pods, for asking whether removing them (preemption) would help.</summary>
    public NodeInfo Without(IReadOnlySet<V1Pod> removed) => new(Node, [.. Pods.Where(p => !removed.Contains(p))]);
}
