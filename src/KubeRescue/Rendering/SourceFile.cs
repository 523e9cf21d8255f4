using System.Text.Json;
using k8s;
using k8s.Models;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace KubeRescue.Rendering;

/// <summary>
/// <c>--source file=PATH</c>: YAML or JSON, one or more documents, each a Deployment, DaemonSet, ReplicaSet,
/// PodTemplate or Pod, or a List of them (<c>kind: List</c> as kubectl and the Tectonic page print it, or a typed
/// list such as <c>DeploymentList</c>). The component's object is picked by name or by its
/// <c>k8s-app</c>/<c>component</c> label; when several match, a workload before a ReplicaSet before a single pod.
/// </summary>
internal static class SourceFile
{
    /// <summary>The kinds a template can come from, in the order of preference among several that match.</summary>
    static readonly string[] Kinds = ["Deployment", "DaemonSet", "ReplicaSet", "PodTemplate", "Pod"];

    sealed record Item(string Kind, V1ObjectMeta? Metadata, V1PodTemplateSpec? Template, string? Revision);

    public static async Task<RescueSource> ReadAsync(string path, ControlPlaneComponent component, CancellationToken ct)
    {
        string text;
        try
        {
            text = await File.ReadAllTextAsync(path, ct);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new RescueSourceException($"cannot read the source file {path}: {e.Message}");
        }

        var items = Objects(text, path).ToList();
        if (items.Count == 0) throw new RescueSourceException($"the source file {path} holds no objects");
        var usable = items.Where(i => Kinds.Contains(i.Kind)).ToList();
        var all = string.Join(", ", items.Select(i => KubeObjects.Path(i.Kind, i.Metadata)));
        if (usable.Count == 0)
            throw new RescueSourceException($"the source file {path} holds {all}: a rescue pod is rendered from a {string.Join(", ", Kinds)}, or a List of them");
        var chosen = usable.Where(i => Belongs(i, component)).OrderBy(i => Array.IndexOf(Kinds, i.Kind)).FirstOrDefault()
            ?? throw new RescueSourceException(
                $"the source file {path} holds nothing of {component.Name} (named {component.Name}, {component.RescuePodName} or {component.Name}-*, or labelled k8s-app or component={component.Name}); it holds {all}");
        if (chosen.Template?.Spec?.Containers is not { Count: > 0 })
            throw new RescueSourceException($"{KubeObjects.Path(chosen.Kind, chosen.Metadata)} in {path} has no pod template with containers");
        return new RescueSource($"file {Path.GetFullPath(path)}: {KubeObjects.Path(chosen.Kind, chosen.Metadata)}", chosen.Revision, chosen.Template);
    }

    static bool Belongs(Item item, ControlPlaneComponent component)
    {
        var name = item.Metadata?.Name ?? "";
        return name == component.Name || name.StartsWith(component.Name + "-", StringComparison.Ordinal)
            || IsLabelled(item.Metadata?.Labels, component) || IsLabelled(item.Template?.Metadata?.Labels, component);
    }

    static bool IsLabelled(IDictionary<string, string>? labels, ControlPlaneComponent component) =>
        labels is not null && ((labels.TryGetValue("k8s-app", out var app) && app == component.Name)
            || (labels.TryGetValue("component", out var c) && c == component.Name));

    /// <summary>Every object of every document, the items of lists in their place.</summary>
    static IEnumerable<Item> Objects(string text, string path)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            throw new RescueSourceException($"the source file {path} is not YAML or JSON: {e.Message}");
        }
        foreach (var document in stream.Documents)
        {
            switch (document.RootNode)
            {
                case YamlScalarNode { Value: null or "" }:
                    continue;
                case YamlMappingNode root when Scalar(root, "kind") is { } kind && kind.EndsWith("List", StringComparison.Ordinal) && root.Children.ContainsKey("items"):
                    if (root.Children[new YamlScalarNode("items")] is not YamlSequenceNode list)
                        throw new RescueSourceException($"the {kind} in {path} has items that are not a list");
                    foreach (var node in list)
                    {
                        if (node is not YamlMappingNode item) throw new RescueSourceException($"an item of the {kind} in {path} is not an object");
                        // Typed lists (PodList) leave their items' kind out.
                        yield return Convert(item, Scalar(item, "kind") ?? kind[..^"List".Length], path);
                    }
                    break;
                case YamlMappingNode root:
                    yield return Convert(root, Scalar(root, "kind") ?? throw new RescueSourceException($"an object in {path} has no kind"), path);
                    break;
                default:
                    throw new RescueSourceException($"the source file {path} holds a document that is not an object");
            }
        }
    }

    static string? Scalar(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) && value is YamlScalarNode { Value: { Length: > 0 } s } ? s : null;

    static Item Convert(YamlMappingNode node, string kind, string path)
    {
        try
        {
            switch (kind)
            {
                case "Deployment":
                    var deployment = Load<V1Deployment>(node);
                    return new(kind, deployment.Metadata, deployment.Spec?.Template, KubeObjects.Revision(deployment.Metadata)?.ToString());
                case "DaemonSet":
                    var daemonSet = Load<V1DaemonSet>(node);
                    return new(kind, daemonSet.Metadata, daemonSet.Spec?.Template, daemonSet.Metadata?.Generation?.ToString());
                case "ReplicaSet":
                    var replicaSet = Load<V1ReplicaSet>(node);
                    return new(kind, replicaSet.Metadata, replicaSet.Spec?.Template, KubeObjects.Revision(replicaSet.Metadata)?.ToString());
                case "PodTemplate":
                    var podTemplate = Load<V1PodTemplate>(node);
                    return new(kind, podTemplate.Metadata, podTemplate.Template, null);
                case "Pod":
                    var pod = Load<V1Pod>(node);
                    return new(kind, pod.Metadata, RescueSources.TemplateOf(pod), null);
                default:
                    var meta = node.Children.TryGetValue(new YamlScalarNode("metadata"), out var m) && m is YamlMappingNode mapping ? Load<V1ObjectMeta>(mapping) : null;
                    return new(kind, meta, null, null);
            }
        }
        // The client's JSON converters throw more than JsonException for a value of the wrong type (an int-or-string that is a list).
        catch (Exception e) when (e is YamlException or JsonException or NotSupportedException or InvalidOperationException or FormatException)
        {
            throw new RescueSourceException($"a {kind} in the source file {path} does not read as one: {e.Message}");
        }
    }

    /// <summary>One object as kubectl reads it: the YAML as JSON, then the client's JSON converters (which know its quantities and int-or-strings).</summary>
    static T Load<T>(YamlMappingNode node) =>
        KubernetesJson.Deserialize<T>(YamlJson.ToJson(node) ?? throw new JsonException("the object is null"));
}
