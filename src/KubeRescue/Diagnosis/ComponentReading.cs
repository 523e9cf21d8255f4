using k8s.Models;

namespace KubeRescue.Diagnosis;

/// <summary>
/// What was read from the cluster about one component, as the API returned it. <see cref="ComponentEvidence.From"/>
/// turns it into evidence and <see cref="ComponentJudge"/> into a verdict, both without a cluster.
/// </summary>
public sealed record ComponentReading(ControlPlaneComponent Component)
{
    /// <summary>The component's Deployment; else <see cref="DaemonSet"/>; with neither, mirror pods among <see cref="Pods"/> are static pods.</summary>
    public V1Deployment? Deployment { get; init; }

    public V1DaemonSet? DaemonSet { get; init; }

    /// <summary>The workload's pods (by its selector, or the mirror pods) and the component's rescue pods.</summary>
    public IReadOnlyList<V1Pod> Pods { get; init; } = [];

    /// <summary>ReplicaSets matching the Deployment's selector; only those it controls count.</summary>
    public IReadOnlyList<V1ReplicaSet> ReplicaSets { get; init; } = [];

    public LeaderRecord? Leader { get; init; }

    /// <summary>Readiness of the nodes that were read (the masters); pods elsewhere are not judged by their node.</summary>
    public IReadOnlyDictionary<string, bool> NodeReady { get; init; } = new Dictionary<string, bool>();

    /// <summary>The scheduler's: the first page of pods Pending with no node, cluster-wide.</summary>
    public V1PodList? Pending { get; init; }

    /// <summary>
    /// Whether something creates pods: the controller-manager's lease is held. Read for the other components; null on
    /// the controller-manager itself, which judges it from its own lease and pods.
    /// </summary>
    public bool? ControllerManagerLeads { get; init; }
}
