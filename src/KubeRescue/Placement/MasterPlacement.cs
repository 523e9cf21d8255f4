using k8s;
using k8s.Models;
using KubeRescue.Kubernetes.Scheduling;

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
        var others = podsOnNode.Where(p => !(p.Metadata.Name == rescuePod.Metadata?.Name && p.Metadata.NamespaceProperty == rescuePod.Metadata?.NamespaceProperty)).ToList();
        // The kubelet counts a pod until it has finished, terminating or not.
        var active = others.Where(p => p.Status?.Phase is not ("Succeeded" or "Failed")).ToList();
        var reasons = new List<string>();
        if (NotReady(node) is { } notReady) reasons.Add($"NotReady: {notReady}");
        foreach (var failure in KubeletAdmission.Check(rescuePod, node, active, checkNodeName: false))
            reasons.Add($"{failure.Reason}: {failure.Message}{Detail(failure, rescuePod.Spec, node, active)}");

        var remarks = node.Spec?.Unschedulable == true
            ? new[] { "cordoned (spec.unschedulable): no matter to a pod with nodeName, which skips the scheduler" }
            : [];
        var live = others.Any(p => IsLiveReplica(p, component));
        return new NodeCandidate(node, reasons.Count == 0, reasons, live) { Remarks = remarks };
    }

    /// <summary>What the kubelet's message leaves out and an operator needs: which pod holds a port, which taints.</summary>
    static string Detail(AdmissionFailure failure, V1PodSpec spec, V1Node node, IReadOnlyList<V1Pod> active)
    {
        IEnumerable<string> details = failure.Reason switch
        {
            AdmissionFailure.NodePorts => HostPorts.Of(spec).Distinct()
                .Select(wanted => (wanted, holder: active.FirstOrDefault(p => HostPorts.Of(p.Spec).Any(wanted.Conflicts))))
                .Where(c => c.holder is not null)
                .Select(c => $"{c.wanted} held by {c.holder!.Metadata.NamespaceProperty}/{c.holder.Metadata.Name}"),
            AdmissionFailure.TaintToleration => Taints.Untolerated(node.Spec?.Taints, spec.Tolerations, Taints.NoExecute).Select(Taints.Describe),
            _ => [],
        };
        var text = string.Join(", ", details);
        return text.Length == 0 ? "" : $" ({text})";
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
}
