using System.Globalization;
using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace KubeRescue.Rendering;

/// <summary>Small facts about API objects that the sources share.</summary>
internal static class KubeObjects
{
    /// <summary>The Deployment controller's revision number on each ReplicaSet (and on the Deployment).</summary>
    public const string RevisionAnnotation = "deployment.kubernetes.io/revision";

    /// <summary>Set by the kubelet on the API copy of a static pod.</summary>
    public const string MirrorAnnotation = "kubernetes.io/config.mirror";

    /// <summary>A deep copy, so that rendering never changes what a caller holds.</summary>
    public static T Copy<T>(T value) => KubernetesJson.Deserialize<T>(KubernetesJson.Serialize(value));

    public static string Path(string kind, V1ObjectMeta? meta) =>
        string.IsNullOrEmpty(meta?.NamespaceProperty) ? $"{kind}/{meta?.Name}" : $"{kind}/{meta.NamespaceProperty}/{meta.Name}";

    public static long? Revision(V1ObjectMeta? meta) =>
        meta?.Annotations?.TryGetValue(RevisionAnnotation, out var text) == true
        && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var revision) ? revision : null;

    public static bool IsControlledBy(V1ObjectMeta meta, string? ownerUid) =>
        ownerUid is not null && (meta.OwnerReferences?.Any(o => o.Controller == true && o.Uid == ownerUid) ?? false);

    public static bool IsNotFound(HttpOperationException e) => e.Response.StatusCode == HttpStatusCode.NotFound;
}
