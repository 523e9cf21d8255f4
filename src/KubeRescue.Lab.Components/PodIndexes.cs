using k8s.Models;
using KubeRescue.Kubernetes.Client;

namespace KubeRescue.Lab.Components;

/// <summary>The pod indices the kubelets and controllers look pods up by, as client-go's controllers index them.</summary>
public static class PodIndexes
{
    /// <summary>Pods by the uid of their controller, or <see cref="Orphans"/> of their namespace: controller.PodControllerUIDIndex.</summary>
    public const string ByController = "controller";

    /// <summary>Pods by spec.nodeName (unscheduled pods are not indexed).</summary>
    public const string ByNode = "node";

    /// <summary>The <see cref="ByController"/> value of a namespace's pods without a controller, as upstream's OrphanPodIndexKey.</summary>
    public static string Orphans(string? ns) => $"_ORPHAN_POD/{ns}";

    /// <summary>Adds <see cref="ByController"/> and <see cref="ByNode"/> to a pod informer not yet running.</summary>
    public static Informer<V1Pod> Indexed(this Informer<V1Pod> pods)
    {
        pods.AddIndex(ByController, p => [p.Metadata.OwnerReferences?.FirstOrDefault(r => r.Controller == true)?.Uid ?? Orphans(p.Metadata.NamespaceProperty)]);
        pods.AddIndex(ByNode, p => string.IsNullOrEmpty(p.Spec?.NodeName) ? [] : [p.Spec.NodeName]);
        return pods;
    }
}
