using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using k8s.Models;
using KubeRescue.Kube;

namespace KubeRescue.Rendering;

/// <summary>Resolves a <see cref="RescueSourceSpec"/> against the cluster (or a file) into the pod template to render. Reads only.</summary>
public static class RescueSources
{
    /// <summary>Annotations the kubelet sets on a static pod's mirror; they describe that pod, not a template.</summary>
    internal static readonly string[] MirrorAnnotations = ["kubernetes.io/config.hash", KubeObjects.MirrorAnnotation, "kubernetes.io/config.seen", "kubernetes.io/config.source"];

    /// <exception cref="RescueSourceException">the source does not exist or holds nothing to render; the message says what does exist.</exception>
    public static Task<RescueSource> ResolveAsync(IKubernetes client, ControlPlaneComponent component, RescueSourceSpec spec, CancellationToken ct) => spec switch
    {
        RescueSourceSpec.FromDeployment => FromDeploymentAsync(client, component, ct),
        RescueSourceSpec.FromDaemonSet => FromDaemonSetAsync(client, component, ct),
        RescueSourceSpec.FromMirrorPod => FromMirrorPodAsync(client, component, ct),
        RescueSourceSpec.FromRevision r => FromRevisionAsync(client, component, r.Revision, ct),
        RescueSourceSpec.LastGood => LastGoodAsync(client, component, ct),
        RescueSourceSpec.FromFile f => SourceFile.ReadAsync(f.Path, component, ct),
        _ => throw new ArgumentOutOfRangeException(nameof(spec), spec, "not a source kube-rescue knows"),
    };

    /// <summary>A pod's metadata and spec as a template: no node, none of the mirror pod's own annotations.</summary>
    internal static V1PodTemplateSpec TemplateOf(V1Pod pod)
    {
        var spec = KubeObjects.Copy(pod.Spec);
        spec.NodeName = null;
        var annotations = pod.Metadata?.Annotations?.Where(a => !MirrorAnnotations.Contains(a.Key)).ToDictionary(a => a.Key, a => a.Value);
        return new V1PodTemplateSpec
        {
            Metadata = new V1ObjectMeta
            {
                Labels = pod.Metadata?.Labels is { } labels ? new Dictionary<string, string>(labels) : null,
                Annotations = annotations is { Count: > 0 } ? annotations : null,
            },
            Spec = spec,
        };
    }

    static async Task<RescueSource> FromDeploymentAsync(IKubernetes client, ControlPlaneComponent component, CancellationToken ct)
    {
        var deployment = await ReadDeploymentAsync(client, component, ct);
        var sets = await ReplicaSetsAsync(client, deployment, ct);
        // The revision is the one of the ReplicaSet that runs this very template (the controller's "new ReplicaSet",
        // equal but for pod-template-hash). None while the template has not been rolled out: no revision then,
        // unless the controller has seen this generation, when the Deployment's own annotation names it.
        var current = sets.FirstOrDefault(rs => SameTemplate(rs.Spec?.Template, deployment.Spec.Template));
        var revision = current is not null ? KubeObjects.Revision(current.Metadata)
            : deployment.Status?.ObservedGeneration >= deployment.Metadata.Generation ? KubeObjects.Revision(deployment.Metadata) : null;
        return new RescueSource(KubeObjects.Path("Deployment", deployment.Metadata), Format(revision), Checked(deployment.Spec.Template, "Deployment", deployment.Metadata));
    }

    static async Task<RescueSource> FromRevisionAsync(IKubernetes client, ControlPlaneComponent component, long revision, CancellationToken ct)
    {
        var deployment = await ReadDeploymentAsync(client, component, ct);
        var sets = await ReplicaSetsAsync(client, deployment, ct);
        var match = sets.FirstOrDefault(rs => KubeObjects.Revision(rs.Metadata) == revision)
            ?? throw new RescueSourceException($"deployment {deployment.Metadata.NamespaceProperty}/{deployment.Metadata.Name} has no revision {revision}: {Revisions(sets)}");
        return FromReplicaSet(match);
    }

    static async Task<RescueSource> LastGoodAsync(IKubernetes client, ControlPlaneComponent component, CancellationToken ct)
    {
        var deployment = await ReadDeploymentAsync(client, component, ct);
        var sets = await ReplicaSetsAsync(client, deployment, ct);
        var pods = (await client.CoreV1.ListNamespacedPodAsync(component.Namespace, labelSelector: Selector(deployment), cancellationToken: ct)).Items;
        var history = RevisionHistory.Classify(sets, pods);
        var where = $"deployment {deployment.Metadata.NamespaceProperty}/{deployment.Metadata.Name}";
        if (history.Count == 0) throw new RescueSourceException($"{where} has no ReplicaSet with a revision, so none can be the last good one");
        var good = RevisionHistory.LastGood(history)
            ?? throw new RescueSourceException($"no revision of {where} is known to have worked: {string.Join("; ", history)}. Name one with --source revision=N");
        var why = good.KnownGood
            ? $"revision {good.Revision} is the newest known to have worked: {string.Join("; ", good.Evidence)}"
            : $"revision {good.Revision} is the newest not known bad that a bad one followed (no evidence that it worked, none that it crashed)";
        var newer = history.Where(h => h.Revision > good.Revision).Select(h => h.ToString()).ToList();
        return FromReplicaSet(good.ReplicaSet) with { Detail = newer.Count > 0 ? $"{why}. Newer: {string.Join(". ", newer)}" : why };
    }

    static async Task<RescueSource> FromDaemonSetAsync(IKubernetes client, ControlPlaneComponent component, CancellationToken ct)
    {
        V1DaemonSet daemonSet;
        try
        {
            daemonSet = await client.AppsV1.ReadNamespacedDaemonSetAsync(component.Name, component.Namespace, cancellationToken: ct);
        }
        catch (HttpOperationException e) when (KubeObjects.IsNotFound(e))
        {
            throw new RescueSourceException($"daemonset {component.Namespace}/{component.Name} does not exist; {await ElsewhereAsync(client, component, ct)}");
        }
        // The newest ControllerRevision is the current template's; a cluster that does not serve them to us (or the
        // lab, which has none) leaves the DaemonSet's generation, which changes with every template change too.
        long? revision = daemonSet.Metadata.Generation;
        try
        {
            var history = await client.AppsV1.ListNamespacedControllerRevisionAsync(component.Namespace,
                labelSelector: Selector(daemonSet.Spec.Selector, daemonSet.Spec.Template), cancellationToken: ct);
            var own = history.Items.Where(r => KubeObjects.IsControlledBy(r.Metadata, daemonSet.Metadata.Uid)).ToList();
            if (own.Count > 0) revision = own.Max(r => r.Revision);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Forbidden)
        {
        }
        return new RescueSource(KubeObjects.Path("DaemonSet", daemonSet.Metadata), Format(revision), Checked(daemonSet.Spec.Template, "DaemonSet", daemonSet.Metadata));
    }

    static async Task<RescueSource> FromMirrorPodAsync(IKubernetes client, ControlPlaneComponent component, CancellationToken ct)
    {
        var pods = (await client.CoreV1.ListNamespacedPodAsync(component.Namespace, labelSelector: $"component={component.Name}", cancellationToken: ct)).Items;
        // Any master's copy will do (kubeadm writes the same manifest on each); a Ready one has shown that it works.
        var mirror = pods.Where(p => p.Metadata.Annotations?.ContainsKey(KubeObjects.MirrorAnnotation) == true)
            .OrderByDescending(p => p.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true)
            .ThenBy(p => p.Metadata.Name, StringComparer.Ordinal)
            .FirstOrDefault()
            ?? throw new RescueSourceException(
                $"no mirror pod of {component.Name} in {component.Namespace} (a pod labelled component={component.Name} with annotation {KubeObjects.MirrorAnnotation}, as kubeadm's static pods have); {await ElsewhereAsync(client, component, ct)}");
        return new RescueSource(KubeObjects.Path("Pod", mirror.Metadata), null, Checked(TemplateOf(mirror), "Pod", mirror.Metadata));
    }

    static RescueSource FromReplicaSet(V1ReplicaSet rs) =>
        new(KubeObjects.Path("ReplicaSet", rs.Metadata), Format(KubeObjects.Revision(rs.Metadata)), Checked(rs.Spec.Template, "ReplicaSet", rs.Metadata));

    static async Task<V1Deployment> ReadDeploymentAsync(IKubernetes client, ControlPlaneComponent component, CancellationToken ct)
    {
        try
        {
            return await client.AppsV1.ReadNamespacedDeploymentAsync(component.Name, component.Namespace, cancellationToken: ct);
        }
        catch (HttpOperationException e) when (KubeObjects.IsNotFound(e))
        {
            throw new RescueSourceException($"deployment {component.Namespace}/{component.Name} does not exist; {await ElsewhereAsync(client, component, ct)}");
        }
    }

    /// <summary>A hint at the sources that do exist, for an error that found none where it looked.</summary>
    static async Task<string> ElsewhereAsync(IKubernetes client, ControlPlaneComponent component, CancellationToken ct)
    {
        var found = new List<string>();
        var deployments = await client.AppsV1.ListNamespacedDeploymentAsync(component.Namespace, fieldSelector: $"metadata.name={component.Name}", cancellationToken: ct);
        if (deployments.Items.Count > 0) found.Add("--source deployment");
        var daemonSets = await client.AppsV1.ListNamespacedDaemonSetAsync(component.Namespace, fieldSelector: $"metadata.name={component.Name}", cancellationToken: ct);
        if (daemonSets.Items.Count > 0) found.Add("--source daemonset");
        var mirrors = await client.CoreV1.ListNamespacedPodAsync(component.Namespace, labelSelector: $"component={component.Name}", cancellationToken: ct);
        if (mirrors.Items.Any(p => p.Metadata.Annotations?.ContainsKey(KubeObjects.MirrorAnnotation) == true)) found.Add("--source mirror-pod");
        return found.Count > 0
            ? $"{component.Name} is there to render from with {string.Join(" or ", found)}"
            : $"nothing of {component.Name} is left in {component.Namespace} to render from: use --source file=PATH with a saved manifest";
    }

    static string Selector(V1Deployment deployment) => Selector(deployment.Spec.Selector, deployment.Spec.Template);

    /// <summary>The workload's pods, never every pod: a workload that selects nothing is an error.</summary>
    static string Selector(V1LabelSelector? selector, V1PodTemplateSpec? template)
    {
        try
        {
            return LabelSelectors.ForWorkload(selector, template) ?? throw new RescueSourceException("the workload has neither a selector nor template labels: it would select every pod");
        }
        catch (ArgumentException e)
        {
            throw new RescueSourceException(e.Message);
        }
    }

    /// <summary>The Deployment's ReplicaSets: selected by its selector, and controlled by it (an orphan or another owner's set is not its revision).</summary>
    static async Task<IReadOnlyList<V1ReplicaSet>> ReplicaSetsAsync(IKubernetes client, V1Deployment deployment, CancellationToken ct)
    {
        var sets = await client.AppsV1.ListNamespacedReplicaSetAsync(deployment.Metadata.NamespaceProperty, labelSelector: Selector(deployment), cancellationToken: ct);
        return [.. sets.Items.Where(rs => KubeObjects.IsControlledBy(rs.Metadata, deployment.Metadata.Uid))];
    }

    static string Revisions(IReadOnlyList<V1ReplicaSet> sets)
    {
        var numbers = sets.Select(rs => KubeObjects.Revision(rs.Metadata)).OfType<long>().Order().ToList();
        return numbers.Count == 0 ? "it has no ReplicaSet with a revision" : $"its revisions are {string.Join(", ", numbers)}";
    }

    /// <summary>Upstream's EqualIgnoreHash: two templates are the same when they differ at most in the pod-template-hash label.</summary>
    static bool SameTemplate(V1PodTemplateSpec? a, V1PodTemplateSpec? b) => JsonNode.DeepEquals(WithoutHash(a), WithoutHash(b));

    static JsonNode? WithoutHash(V1PodTemplateSpec? template)
    {
        var node = JsonNode.Parse(KubernetesJson.Serialize(template));
        if (node?["metadata"]?["labels"] is JsonObject labels)
        {
            labels.Remove("pod-template-hash");
            if (labels.Count == 0) node["metadata"]!.AsObject().Remove("labels");
        }
        return node;
    }

    static V1PodTemplateSpec Checked(V1PodTemplateSpec? template, string kind, V1ObjectMeta meta) =>
        template?.Spec?.Containers is { Count: > 0 } ? template : throw new RescueSourceException($"{KubeObjects.Path(kind, meta)} has no pod template with containers");

    static string? Format(long? revision) => revision?.ToString(CultureInfo.InvariantCulture);
}
