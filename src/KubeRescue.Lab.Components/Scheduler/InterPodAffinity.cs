using k8s.Models;

namespace KubeRescue.Lab.Components.Scheduler;

/// <summary>
/// The InterPodAffinity plugin's PreFilter and PreScore state for one incoming pod: what the pods already placed
/// mean for it, counted once per topology domain (a topology key and a node's value for it), so that each node is
/// then judged by its own labels. The pods are read once per scheduling attempt, not once per node: upstream's
/// shape, and what keeps a cluster of thousands of nodes schedulable. Only pods with affinity terms of their own
/// are read unless the incoming pod has terms.
/// </summary>
sealed class InterPodAffinity
{
    readonly V1Pod _pod;
    readonly IList<V1PodAffinityTerm> _requiredAffinity;
    readonly IList<V1PodAffinityTerm> _requiredAntiAffinity;
    // Per required affinity term: the values of its topology key whose domain holds a pod it selects.
    readonly List<HashSet<string>> _affinityDomains = [];
    bool _affinityMatchesAnywhere;
    // Domains holding a pod one of the incoming pod's required anti-affinity terms selects.
    readonly HashSet<(string Key, string Value)> _antiAffinityDomains = [];
    // Domains holding a pod whose required anti-affinity selects the incoming pod.
    readonly HashSet<(string Key, string Value)> _existingAntiAffinityDomains = [];
    // Preferred terms, both ways: a score per topology key and value.
    readonly Dictionary<string, Dictionary<string, long>> _scores = new(StringComparer.Ordinal);

    InterPodAffinity(V1Pod pod)
    {
        _pod = pod;
        _requiredAffinity = pod.Spec.Affinity?.PodAffinity?.RequiredDuringSchedulingIgnoredDuringExecution ?? [];
        _requiredAntiAffinity = pod.Spec.Affinity?.PodAntiAffinity?.RequiredDuringSchedulingIgnoredDuringExecution ?? [];
    }

    public static InterPodAffinity Compute(V1Pod pod, IReadOnlyList<NodeInfo> all)
    {
        var state = new InterPodAffinity(pod);
        var mine = pod.Spec.Affinity;
        var preferredAffinity = mine?.PodAffinity?.PreferredDuringSchedulingIgnoredDuringExecution ?? [];
        var preferredAntiAffinity = mine?.PodAntiAffinity?.PreferredDuringSchedulingIgnoredDuringExecution ?? [];
        var readAll = state._requiredAffinity.Count > 0 || state._requiredAntiAffinity.Count > 0 || preferredAffinity.Count > 0 || preferredAntiAffinity.Count > 0;
        foreach (var _ in state._requiredAffinity) state._affinityDomains.Add(new HashSet<string>(StringComparer.Ordinal));

        foreach (var node in all)
        {
            foreach (var existing in node.PodsWithRequiredAntiAffinity)
                foreach (var term in existing.Spec.Affinity!.PodAntiAffinity!.RequiredDuringSchedulingIgnoredDuringExecution)
                    if (node.Label(term.TopologyKey) is { } value && PodTerms.Matches(term, existing, pod))
                        state._existingAntiAffinityDomains.Add((term.TopologyKey, value));

            foreach (var existing in readAll ? node.Pods : node.PodsWithAffinity)
            {
                for (var i = 0; i < state._requiredAffinity.Count; i++)
                {
                    var term = state._requiredAffinity[i];
                    if (!PodTerms.Matches(term, pod, existing)) continue;
                    state._affinityMatchesAnywhere = true;
                    if (node.Label(term.TopologyKey) is { } value) state._affinityDomains[i].Add(value);
                }
                foreach (var term in state._requiredAntiAffinity)
                    if (node.Label(term.TopologyKey) is { } value && PodTerms.Matches(term, pod, existing))
                        state._antiAffinityDomains.Add((term.TopologyKey, value));

                state.Score(preferredAffinity, pod, existing, node, +1);
                state.Score(preferredAntiAffinity, pod, existing, node, -1);
                var theirs = existing.Spec.Affinity;
                state.Score(theirs?.PodAffinity?.PreferredDuringSchedulingIgnoredDuringExecution, existing, pod, node, +1);
                state.Score(theirs?.PodAntiAffinity?.PreferredDuringSchedulingIgnoredDuringExecution, existing, pod, node, -1);
            }
        }
        return state;
    }

    /// <summary>Adds each term of <paramref name="owner"/> that selects <paramref name="candidate"/> to the domain of the candidate's node.</summary>
    void Score(IList<V1WeightedPodAffinityTerm>? terms, V1Pod owner, V1Pod candidate, NodeInfo candidateNode, int sign)
    {
        foreach (var weighted in terms ?? [])
        {
            var key = weighted.PodAffinityTerm.TopologyKey;
            if (candidateNode.Label(key) is not { } value || !PodTerms.Matches(weighted.PodAffinityTerm, owner, candidate)) continue;
            if (!_scores.TryGetValue(key, out var byValue)) _scores[key] = byValue = new(StringComparer.Ordinal);
            byValue[value] = byValue.GetValueOrDefault(value) + sign * weighted.Weight;
        }
    }

    /// <summary>The filter: the pod's required affinity and anti-affinity, and the existing pods' required anti-affinity.</summary>
    public NodeStatus? Filter(NodeInfo node)
    {
        if (_requiredAffinity.Count > 0 && !SatisfiesAffinity(node))
            return NodeStatus.UnschedulableAndUnresolvable("node(s) didn't match pod affinity rules");
        foreach (var term in _requiredAntiAffinity)
            if (node.Label(term.TopologyKey) is { } value && _antiAffinityDomains.Contains((term.TopologyKey, value)))
                return NodeStatus.Unschedulable("node(s) didn't match pod anti-affinity rules");
        foreach (var (key, value) in _existingAntiAffinityDomains)
            if (node.Label(key) == value)
                return NodeStatus.Unschedulable("node(s) didn't satisfy existing pods anti-affinity rules");
        return null;
    }

    /// <summary>
    /// Every term needs a selected pod in the node's topology domain; but when no pod anywhere matches any term and
    /// the pod matches its own terms, it may go anywhere (the first of a group that wants to be together).
    /// </summary>
    bool SatisfiesAffinity(NodeInfo node)
    {
        var all = true;
        for (var i = 0; i < _requiredAffinity.Count && all; i++)
            all = node.Label(_requiredAffinity[i].TopologyKey) is { } value && _affinityDomains[i].Contains(value);
        if (all) return true;
        return !_affinityMatchesAnywhere && _requiredAffinity.All(term => PodTerms.Matches(term, _pod, _pod) && node.Label(term.TopologyKey) is not null);
    }

    /// <summary>The raw score: the weights counted for the node's domains.</summary>
    public long Score(NodeInfo node)
    {
        long score = 0;
        foreach (var (key, byValue) in _scores)
            if (node.Label(key) is { } value) score += byValue.GetValueOrDefault(value);
        return score;
    }
}
