using System.Globalization;
using k8s;
using k8s.Models;

namespace KubeRescue.Placement;

/// <summary>
/// Where a rescue pod can go. A pod with spec.nodeName skips the scheduler, so only the kubelet's own admission
/// stands between it and running (field guide §2): resources, pod count, nodeSelector and required node affinity,
/// host ports, untolerated NoExecute taints. NoSchedule taints, cordons and pod (anti-)affinity do not matter to it.
/// A node that is not Ready has no kubelet to run the pod at all.
/// </summary>
public static class MasterPlacement
{
    public const string MasterLabel = "node-role.kubernetes.io/master";
    public const string ControlPlaneLabel = "node-role.kubernetes.io/control-plane";

    /// <summary>
    /// Every master (labelled <see cref="MasterLabel"/> or <see cref="ControlPlaneLabel"/>) judged for the pod as it
    /// is given (its nodeName aside): those that fit first, among them those without a live replica of the
    /// component first (a second instance of a hostNetwork component would find its ports taken), then by name.
    /// </summary>
    public static async Task<IReadOnlyList<NodeCandidate>> RankAsync(IKubernetes client, ControlPlaneComponent component, V1Pod rescuePod, CancellationToken ct)
    {
        // The two lists, then every master's pods, read together: one round trip each instead of one per master.
        var lists = await Task.WhenAll(new[] { MasterLabel, ControlPlaneLabel }.Select(label => client.CoreV1.ListNodeAsync(labelSelector: label, cancellationToken: ct)));
        var masters = lists.SelectMany(l => l.Items).DistinctBy(n => n.Metadata.Name);
        return Order(await Task.WhenAll(masters.Select(node => EvaluateAsync(client, component, rescuePod, node, ct))));
    }

    public static bool IsMaster(V1Node node) =>
        node.Metadata.Labels?.ContainsKey(MasterLabel) == true || node.Metadata.Labels?.ContainsKey(ControlPlaneLabel) == true;

    /// <summary>One node judged for the pod, with the pods bound to it read from the API (a field selector on spec.nodeName).</summary>
    public static async Task<NodeCandidate> EvaluateAsync(IKubernetes client, ControlPlaneComponent component, V1Pod rescuePod, V1Node node, CancellationToken ct)
    {
        var pods = await client.CoreV1.ListPodForAllNamespacesAsync(fieldSelector: $"spec.nodeName={node.Metadata.Name}", cancellationToken: ct);
        return Evaluate(component, rescuePod, node, pods.Items);
    }

    /// <summary>Fitting first, among them those without a live replica first; then by name.</summary>
    public static IReadOnlyList<NodeCandidate> Order(IEnumerable<NodeCandidate> candidates) =>
        [.. candidates.OrderByDescending(c => c.Fits).ThenBy(c => c.Fits && c.HasLiveReplica).ThenBy(c => c.Name, StringComparer.Ordinal)];

    /// <summary>
    /// The kubelet's admission of <paramref name="rescuePod"/> on <paramref name="node"/>, given the pods bound there.
    /// Pure. The pod's own nodeName is ignored (choosing it is the point), and so is a pod of the same name and
    /// namespace on the node (the rescue pod itself, on a second run).
    /// </summary>
    public static NodeCandidate Evaluate(ControlPlaneComponent component, V1Pod rescuePod, V1Node node, IEnumerable<V1Pod> podsOnNode)
    {
        var spec = rescuePod.Spec;
        var others = podsOnNode.Where(p => !(p.Metadata.Name == rescuePod.Metadata?.Name && p.Metadata.NamespaceProperty == rescuePod.Metadata?.NamespaceProperty)).ToList();
        // The kubelet counts a pod until it has finished, terminating or not.
        var active = others.Where(p => p.Status?.Phase is not ("Succeeded" or "Failed")).ToList();
        var reasons = new List<string>();

        if (NotReady(node) is { } notReady) reasons.Add($"NotReady: {notReady}");
        reasons.AddRange(Resources(spec, node, active));
        if (!NodeRules.Matches(spec, node)) reasons.Add("NodeAffinity: Predicate NodeAffinity failed: node(s) didn't match Pod's node affinity/selector");
        if (HostPortConflict(spec, active) is { } ports) reasons.Add($"NodePorts: Predicate NodePorts failed: node(s) didn't have free ports for the requested pod ports ({ports})");
        var taints = NodeRules.UntoleratedNoExecute(spec, node).Select(Describe).ToList();
        if (taints.Count > 0) reasons.Add($"TaintToleration: Predicate TaintToleration failed: node(s) had taints that the pod didn't tolerate ({string.Join(", ", taints)})");

        var remarks = node.Spec?.Unschedulable == true
            ? new[] { "cordoned (spec.unschedulable): no matter to a pod with nodeName, which skips the scheduler" }
            : [];
        var live = others.Any(p => IsLiveReplica(p, component));
        return new NodeCandidate(node, reasons.Count == 0, reasons, live) { Remarks = remarks };
    }

    /// <summary>A running pod of the component (label k8s-app, or component on kubeadm's static pods), not on its way out.</summary>
    static bool IsLiveReplica(V1Pod pod, ControlPlaneComponent component) =>
        pod.Metadata.NamespaceProperty == component.Namespace && pod.Metadata.DeletionTimestamp is null && pod.Status?.Phase == "Running"
        && pod.Metadata.Labels is { } labels
        && ((labels.TryGetValue("k8s-app", out var app) && app == component.Name) || (labels.TryGetValue("component", out var c) && c == component.Name));

    static string? NotReady(V1Node node)
    {
        var ready = node.Status?.Conditions?.FirstOrDefault(c => c.Type == "Ready");
        if (ready is null) return "the node reports no Ready condition: no kubelet has registered it";
        if (ready.Status == "True") return null;
        var why = string.Join(": ", new[] { ready.Reason, ready.Message }.Where(s => !string.IsNullOrEmpty(s)));
        return $"Ready is {ready.Status}{(why.Length > 0 ? $" ({why})" : "")}: its kubelet would not run the pod";
    }

    /// <summary>noderesources.Fits as the kubelet runs it: pod count, then every resource the pod requests that the node offers (or cpu, memory, ephemeral-storage).</summary>
    static IEnumerable<string> Resources(V1PodSpec spec, V1Node node, IReadOnlyList<V1Pod> active)
    {
        var allocatable = node.Status?.Allocatable ?? new Dictionary<string, ResourceQuantity>();
        long Capacity(string name) => allocatable.TryGetValue(name, out var q) ? PodRequests.Amount(name, q) : 0;
        var pods = Capacity("pods");
        if (active.Count + 1 > pods) yield return OutOf("pods", 1, active.Count, pods);

        var used = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var pod in active)
            foreach (var (name, amount) in PodRequests.Of(pod.Spec)) used[name] = used.GetValueOrDefault(name) + amount;
        foreach (var (name, requested) in PodRequests.Of(spec).OrderBy(r => r.Key, StringComparer.Ordinal))
        {
            // The kubelet drops requests of extended resources the node does not advertise before it checks.
            if (requested <= 0 || (name is not ("cpu" or "memory" or "ephemeral-storage") && !allocatable.ContainsKey(name))) continue;
            var capacity = Capacity(name);
            var inUse = used.GetValueOrDefault(name);
            if (requested > capacity - inUse) yield return OutOf(name, requested, inUse, capacity);
        }
    }

    static string OutOf(string resource, long requested, long used, long capacity) => string.Create(CultureInfo.InvariantCulture,
        $"OutOf{resource}: Node didn't have enough resource: {resource}, requested: {requested}, used: {used}, capacity: {capacity}");

    /// <summary>The pod's host ports that pods on the node already hold, described; null when none.</summary>
    static string? HostPortConflict(V1PodSpec spec, IReadOnlyList<V1Pod> active)
    {
        var conflicts = new List<string>();
        foreach (var wanted in NodeRules.HostPorts(spec).Distinct())
            if (active.FirstOrDefault(p => NodeRules.HostPorts(p.Spec).Any(held => NodeRules.Collide(wanted, held))) is { } holder)
                conflicts.Add($"{wanted.Port}/{wanted.Protocol} held by {holder.Metadata.NamespaceProperty}/{holder.Metadata.Name}");
        return conflicts.Count > 0 ? string.Join(", ", conflicts) : null;
    }

    static string Describe(V1Taint t) => $"{t.Key}{(string.IsNullOrEmpty(t.Value) ? "" : $"={t.Value}")}:{t.Effect}";
}
