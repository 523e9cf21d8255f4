using k8s.Models;
using KubeRescue.Kubernetes.Scheduling;

namespace KubeRescue.Lab.Components.Scheduler;

/// <summary>
/// framework.FitError's message: <c>0/N nodes are available: </c> then every node's reasons counted, each as
/// "count reason", sorted as Go sorts strings and joined with ", "; then the preemption attempt's own FitError.
/// </summary>
static class FitError
{
    public const string NoNodesAvailable = "no nodes available to schedule pods";

    public static string Message(int allNodes, IEnumerable<NodeStatus> statuses, string? postFilter)
    {
        var histogram = statuses.SelectMany(s => s.Reasons).GroupBy(r => r, StringComparer.Ordinal)
            .Select(g => $"{g.Count()} {g.Key}").Order(StringComparer.Ordinal).ToList();
        var message = $"0/{allNodes} nodes are available:";
        if (histogram.Count > 0) message += $" {string.Join(", ", histogram)}.";
        if (postFilter is not null) message += $" {postFilter}.";
        return message;
    }

    /// <summary>
    /// DefaultPreemption's verdict, as the "preemption: ..." part of the message: nodes rejected as unresolvable are
    /// not helped by evicting anyone; on the others, evicting every lower-priority pod must make room. Returns null
    /// when some node would be helped: the real scheduler would then preempt, which the lab does not emulate.
    /// </summary>
    public static string? Preemption(V1Pod pod, Dictionary<string, long> request, NodeAffinity affinity, IReadOnlyList<NodeInfo> all, IReadOnlyDictionary<string, NodeStatus> statuses)
    {
        var priority = pod.Spec.Priority ?? 0;
        var verdicts = new List<NodeStatus>();
        foreach (var node in all)
        {
            var status = statuses[node.Name];
            if (status.Unresolvable)
            {
                verdicts.Add(NodeStatus.UnschedulableAndUnresolvable("Preemption is not helpful for scheduling"));
                continue;
            }
            var victims = node.Pods.Where(p => (p.Spec.Priority ?? 0) < priority).ToHashSet();
            if (victims.Count == 0)
            {
                verdicts.Add(NodeStatus.UnschedulableAndUnresolvable("No preemption victims found for incoming pod"));
                continue;
            }
            var without = node.Without(victims);
            var rest = all.Select(n => n == node ? without : n).ToList();
            if (Filters.Run(pod, request, affinity, without, InterPodAffinity.Compute(pod, rest)) is not { } after) return null;
            verdicts.Add(after);
        }
        return "preemption: " + Message(all.Count, verdicts, null).TrimEnd('.');
    }
}
