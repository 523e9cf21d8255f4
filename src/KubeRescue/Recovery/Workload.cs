using k8s;
using k8s.Models;
using KubeRescue.Kube;

namespace KubeRescue.Recovery;

/// <summary>
/// The component's permanent workload as it was when the recovery began: the Deployment (bootkube, Tectonic) or
/// DaemonSet (Talos) whose pods the rescue pod stands in for, the selector that finds them, and how many must run
/// before the rescue pod may go.
/// </summary>
public sealed record Workload(string Kind, string Namespace, string Name, string Selector, int Desired, int Needed, V1PodTemplateSpec Template, string? Revision, string? Uid = null)
{
    public const string RevisionAnnotation = "deployment.kubernetes.io/revision";

    public string Description => $"{Kind}/{Namespace}/{Name}";

    public static async Task<Workload> ReadAsync(IKubernetes client, ControlPlaneComponent component, CancellationToken ct)
    {
        if (await Reads.OrNullAsync(() => client.AppsV1.ReadNamespacedDeploymentAsync(component.Name, component.Namespace, cancellationToken: ct)) is { } d)
        {
            var desired = d.Spec.Replicas ?? 1;
            return new Workload("Deployment", component.Namespace, component.Name, SelectorOf(d.Spec.Selector, d.Spec.Template), desired,
                Math.Max(1, desired - MaxUnavailable(d, desired)), d.Spec.Template,
                d.Metadata.Annotations is { } a && a.TryGetValue(RevisionAnnotation, out var r) ? r : null, d.Metadata.Uid);
        }
        if (await Reads.OrNullAsync(() => client.AppsV1.ReadNamespacedDaemonSetAsync(component.Name, component.Namespace, cancellationToken: ct)) is { } ds)
        {
            // A DaemonSet's pods are placed one per matching node; one that runs and leads is a working component.
            var desired = Math.Max(1, ds.Status?.DesiredNumberScheduled ?? 1);
            return new Workload("DaemonSet", component.Namespace, component.Name, SelectorOf(ds.Spec.Selector, ds.Spec.Template), desired, 1, ds.Spec.Template,
                ds.Metadata.Generation?.ToString(System.Globalization.CultureInfo.InvariantCulture), ds.Metadata.Uid);
        }
        throw new RecoveryRefusedException(
            $"there is no Deployment or DaemonSet {component.Namespace}/{component.Name}, so no permanent pods to bring back. " +
            $"To run a rescue instance anyway, make one with: kube-rescue render {component.Key} --source file=FILE (or --source mirror-pod), " +
            "and create it with kubectl. Static pods (kubeadm) are run by their node's kubelet: fix their manifest on the node.");
    }

    static string SelectorOf(V1LabelSelector? selector, V1PodTemplateSpec template)
    {
        try
        {
            // An empty selector would match every pod of the namespace.
            return LabelSelectors.ForWorkload(selector, template) ?? throw new RecoveryRefusedException("the workload has an empty selector: it would match every pod");
        }
        catch (ArgumentException e)
        {
            throw new RecoveryRefusedException(e.Message);
        }
    }

    /// <summary>maxUnavailable as the deployment controller resolves it: a percentage rounds down; Recreate takes them all.</summary>
    static int MaxUnavailable(V1Deployment d, int desired)
    {
        if (d.Spec.Strategy?.Type == "Recreate") return desired;
        var value = d.Spec.Strategy?.RollingUpdate?.MaxUnavailable?.Value ?? "25%";
        if (value.EndsWith('%') && int.TryParse(value[..^1], out var percent)) return desired * percent / 100;
        return int.TryParse(value, out var n) ? n : 0;
    }

    /// <summary>A pod of the permanent workload (the selector matched it), not a rescue pod.</summary>
    public static bool IsPermanent(V1Pod pod) => pod.Metadata.Labels?.ContainsKey(RescueMetadata.ComponentLabel) != true;
}
