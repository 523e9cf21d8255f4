using k8s.Models;

namespace KubeRescue.Placement;

/// <summary>
/// A master judged for a rescue pod: whether its kubelet would admit the pod (when not, each reason, named as the
/// kubelet's predicate that would reject it: <c>OutOfcpu: Node didn't have enough resource: cpu, ...</c>), and
/// whether a pod of the component already runs there.
/// </summary>
public sealed record NodeCandidate(V1Node Node, bool Fits, IReadOnlyList<string> Reasons, bool HasLiveReplica)
{
    public string Name => Node.Metadata.Name;

    /// <summary>Facts that do not stop the kubelet but an operator may want to know (the node is cordoned).</summary>
    public IReadOnlyList<string> Remarks { get; init; } = [];
}
