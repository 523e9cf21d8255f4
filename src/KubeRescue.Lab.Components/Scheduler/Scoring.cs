using k8s.Models;
using KubeRescue.Kubernetes.Scheduling;

namespace KubeRescue.Lab.Components.Scheduler;

/// <summary>
/// The default profile's scoring, reduced to the plugins that decide placement in a small control plane:
/// TaintToleration (PreferNoSchedule, weight 3), NodeAffinity (preferred terms, 2), InterPodAffinity (preferred
/// affinity and anti-affinity of the pod and of the pods already placed, 2), NodeResourcesFit least-allocated (1)
/// and NodeResourcesBalancedAllocation (1). Each plugin's scores are normalised to 0..100 over the feasible nodes
/// as upstream does. Ties go to the first node by name, where the real scheduler picks one at random.
/// </summary>
static class Scoring
{
    const int MaxScore = 100;

    public static NodeInfo Select(V1Pod pod, NodeAffinity affinity, IReadOnlyList<NodeInfo> feasible, InterPodAffinity interPod)
    {
        if (feasible.Count == 1) return feasible[0];
        var totals = new long[feasible.Count];
        Add(totals, 3, Normalize(feasible.Select(n => (long)IntolerablePreferNoSchedule(pod, n)).ToArray(), reverse: true));
        Add(totals, 2, Normalize(feasible.Select(n => affinity.Score(n.Node)).ToArray(), reverse: false));
        Add(totals, 2, MinMax(feasible.Select(interPod.Score).ToArray()));
        var request = PodResources.Requests(pod.Spec, PodResources.ScoringDefaults);
        Add(totals, 1, feasible.Select(n => LeastAllocated(request, n)).ToArray());
        Add(totals, 1, feasible.Select(n => BalancedAllocation(request, n)).ToArray());

        var best = 0;
        for (var i = 1; i < feasible.Count; i++)
            if (totals[i] > totals[best] || (totals[i] == totals[best] && string.CompareOrdinal(feasible[i].Name, feasible[best].Name) < 0))
                best = i;
        return feasible[best];
    }

    static void Add(long[] totals, int weight, long[] scores)
    {
        for (var i = 0; i < totals.Length; i++) totals[i] += weight * scores[i];
    }

    /// <summary>helper.DefaultNormalizeScore: scale to the maximum; reversed, fewer is better.</summary>
    static long[] Normalize(long[] scores, bool reverse)
    {
        var max = scores.Max();
        return scores.Select(s => max == 0 ? (reverse ? MaxScore : 0) : reverse ? MaxScore - s * MaxScore / max : s * MaxScore / max).ToArray();
    }

    /// <summary>InterPodAffinity's normalisation: min to 0, max to 100 (all 0 when every node scored the same).</summary>
    static long[] MinMax(long[] scores)
    {
        var min = scores.Min();
        var diff = scores.Max() - min;
        return scores.Select(s => diff > 0 ? (long)(MaxScore * ((double)(s - min) / diff)) : 0).ToArray();
    }

    static int IntolerablePreferNoSchedule(V1Pod pod, NodeInfo node)
    {
        var tolerations = pod.Spec.Tolerations?.Where(t => string.IsNullOrEmpty(t.Effect) || t.Effect == Taints.PreferNoSchedule).ToList();
        return Taints.Untolerated(node.Node.Spec?.Taints, tolerations, Taints.PreferNoSchedule).Count();
    }

    static long LeastAllocated(Dictionary<string, long> request, NodeInfo node)
    {
        long Score(string resource)
        {
            var allocatable = node.Allocatable.GetValueOrDefault(resource);
            var requested = node.NonZeroRequested.GetValueOrDefault(resource) + request.GetValueOrDefault(resource);
            return allocatable == 0 || requested > allocatable ? 0 : (allocatable - requested) * MaxScore / allocatable;
        }
        return (Score(PodResources.Cpu) + Score(PodResources.Memory)) / 2;
    }

    static long BalancedAllocation(Dictionary<string, long> request, NodeInfo node)
    {
        double Fraction(string resource)
        {
            var allocatable = node.Allocatable.GetValueOrDefault(resource);
            if (allocatable == 0) return 1;
            return Math.Min(1, (double)(node.NonZeroRequested.GetValueOrDefault(resource) + request.GetValueOrDefault(resource)) / allocatable);
        }
        var std = Math.Abs(Fraction(PodResources.Cpu) - Fraction(PodResources.Memory)) / 2;
        return (long)((1 - std) * MaxScore);
    }
}
