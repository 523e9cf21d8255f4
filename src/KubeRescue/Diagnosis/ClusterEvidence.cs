using KubeRescue.Kubernetes.Scheduling;
using k8s.Models;

namespace KubeRescue.Diagnosis;

/// <summary>The evidence beside the components: the masters and the control-plane DaemonSets, from what was read.</summary>
public static class ClusterEvidence
{
    /// <summary>The role labels a master carries: the old one and, since 1.20, the new one.</summary>
    public static readonly IReadOnlyList<string> MasterLabels = ["node-role.kubernetes.io/master", "node-role.kubernetes.io/control-plane"];

    /// <summary>DaemonSets of the control plane: labelled <c>tier=control-plane</c>, or named as bootkube names them.</summary>
    public const string ControlPlaneSelector = "tier=control-plane";

    public static readonly IReadOnlyList<string> ControlPlaneDaemonSets = ["kube-apiserver", "pod-checkpointer"];

    public static MasterEvidence Master(V1Node node) => new(node.Metadata.Name,
        node.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true,
        (node.Spec?.Taints ?? []).Select(Taints.Describe).ToList(),
        node.Spec?.Unschedulable == true);

    public static DaemonSetEvidence DaemonSet(V1DaemonSet ds) =>
        new(ds.Metadata.Name, ds.Status?.DesiredNumberScheduled ?? 0, ds.Status?.NumberReady ?? 0, ds.Status?.NumberAvailable ?? 0);

    /// <summary>The worst verdict: the control plane is as healthy as its sickest part.</summary>
    public static Verdict Worst(IEnumerable<Verdict> verdicts) => verdicts.DefaultIfEmpty(Verdict.Healthy).Max();
}
