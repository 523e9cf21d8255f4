using System.Collections;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.Json.Nodes;
using KubeRescue.Kubernetes.Selectors;
using KubeRescue.Lab.ApiServer.Objects;

namespace KubeRescue.Lab.ApiServer.Selectors;

/// <summary>
/// The field selector labels one resource accepts, each with the accessor that yields the value the server
/// matches against. Upstream a resource either registers its own field-label conversion (rejecting others with
/// "field label not supported: X") or falls back to the default one (metadata.name/metadata.namespace only,
/// rejecting others with "\"X\" is not a known field selector: ..."); <see cref="HasCustomConversion"/> says which.
/// </summary>
public sealed class FieldSet : IReadOnlyDictionary<string, Func<JsonObject, string?>>
{
    private readonly Dictionary<string, Func<JsonObject, string?>> _fields;
    private readonly Dictionary<string, int> _index;

    internal FieldSet(bool hasCustomConversion, Dictionary<string, Func<JsonObject, string?>> fields)
    {
        HasCustomConversion = hasCustomConversion;
        _fields = fields;
        Names = [.. fields.Keys];
        _index = Names.Select((name, i) => (name, i)).ToDictionary(x => x.name, x => x.i, StringComparer.Ordinal);
    }

    /// <summary>The field labels in a fixed order, the order of <see cref="SelectorAttributes"/>' values.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>The position of a field label in <see cref="Names"/>, or -1.</summary>
    public int IndexOf(string field) => _index.TryGetValue(field, out var i) ? i : -1;

    public bool HasCustomConversion { get; }

    /// <summary>
    /// Null when every field in the selector is accepted, else the exact message of the server's 400 response
    /// (the first rejected field in the selector's term order, as upstream's Transform stops there).
    /// </summary>
    public string? Validate(FieldSelector selector)
    {
        foreach (var field in selector.Fields)
        {
            if (_fields.ContainsKey(field))
            {
                continue;
            }
            return HasCustomConversion
                ? $"field label not supported: {field}"
                : $"\"{field}\" is not a known field selector: only \"metadata.name\", \"metadata.namespace\"";
        }
        return null;
    }

    /// <summary>Evaluates the selector against the object; fields outside the set compare as "".</summary>
    public bool Matches(FieldSelector selector, JsonObject obj) =>
        selector.Matches(f => _fields.TryGetValue(f, out var get) ? get(obj) : null);

    public Func<JsonObject, string?> this[string key] => _fields[key];
    public IEnumerable<string> Keys => _fields.Keys;
    public IEnumerable<Func<JsonObject, string?>> Values => _fields.Values;
    public int Count => _fields.Count;
    public bool ContainsKey(string key) => _fields.ContainsKey(key);

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out Func<JsonObject, string?> value) =>
        _fields.TryGetValue(key, out value);

    public IEnumerator<KeyValuePair<string, Func<JsonObject, string?>>> GetEnumerator() => _fields.GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>
/// Per-resource field selector support of the real API server (Kubernetes 1.36): the labels accepted by each
/// kind's field-label conversion and the values its GetAttrs exposes. Accessors return "" where the internal
/// Go field would be the zero value, so "spec.nodeName=" selects unscheduled pods as it does upstream.
/// </summary>
public static class FieldSets
{
    /// <summary>Cluster-scoped kinds without their own conversion. The default conversion also accepts
    /// metadata.namespace, which such objects never expose, so it always reads "".</summary>
    public static FieldSet ClusterScoped { get; } = Default(namespaced: false);

    /// <summary>Namespaced kinds without their own conversion: metadata.name and metadata.namespace.</summary>
    public static FieldSet Namespaced { get; } = Default(namespaced: true);

    public static FieldSet ConfigMaps => Namespaced;
    public static FieldSet ServiceAccounts => Namespaced;
    public static FieldSet Endpoints => Namespaced;
    public static FieldSet Deployments => Namespaced;
    public static FieldSet DaemonSets => Namespaced;
    public static FieldSet Leases => Namespaced;
    public static FieldSet PodDisruptionBudgets => Namespaced;
    public static FieldSet Roles => Namespaced;
    public static FieldSet RoleBindings => Namespaced;
    public static FieldSet ClusterRoles => ClusterScoped;
    public static FieldSet ClusterRoleBindings => ClusterScoped;

    /// <summary>
    /// apps/v1 ReplicaSets register no field-label conversion, so although their GetAttrs exposes status.replicas
    /// the server rejects it ("\"status.replicas\" is not a known field selector", kubernetes#135136).
    /// </summary>
    public static FieldSet ReplicaSets => Namespaced;

    /// <summary>Namespaces: metadata.name and status.phase (metadata.namespace is rejected).</summary>
    public static FieldSet Namespaces { get; } = new(true, new()
    {
        ["metadata.name"] = Name,
        ["status.phase"] = o => Str(o, "status", "phase"),
    });

    /// <summary>Nodes: metadata.name and spec.unschedulable ("true"/"false").</summary>
    public static FieldSet Nodes { get; } = new(true, new()
    {
        ["metadata.name"] = Name,
        ["spec.unschedulable"] = o => Bool(o, "spec", "unschedulable"),
    });

    /// <summary>
    /// Pods. spec.host is the legacy alias of spec.nodeName; status.podIPs is accepted by the conversion but
    /// not exposed by GetAttrs, so it always reads "".
    /// </summary>
    public static FieldSet Pods { get; } = new(true, new()
    {
        ["metadata.name"] = Name,
        ["metadata.namespace"] = Namespace,
        ["spec.nodeName"] = o => Str(o, "spec", "nodeName"),
        ["spec.host"] = o => Str(o, "spec", "nodeName"),
        ["spec.restartPolicy"] = o => Str(o, "spec", "restartPolicy"),
        ["spec.schedulerName"] = o => Str(o, "spec", "schedulerName"),
        ["spec.serviceAccountName"] = o => Str(o, "spec", "serviceAccountName"),
        ["spec.hostNetwork"] = o => Bool(o, "spec", "hostNetwork"),
        ["status.phase"] = o => Str(o, "status", "phase"),
        ["status.podIP"] = PodIP,
        ["status.podIPs"] = _ => "",
        ["status.nominatedNodeName"] = o => Str(o, "status", "nominatedNodeName"),
    });

    /// <summary>Secrets: type plus metadata.</summary>
    public static FieldSet Secrets { get; } = new(true, new()
    {
        ["metadata.name"] = Name,
        ["metadata.namespace"] = Namespace,
        ["type"] = o => Str(o, "type"),
    });

    /// <summary>Services: spec.clusterIP and spec.type plus metadata.</summary>
    public static FieldSet Services { get; } = new(true, new()
    {
        ["metadata.name"] = Name,
        ["metadata.namespace"] = Namespace,
        ["spec.clusterIP"] = o => Str(o, "spec", "clusterIP"),
        ["spec.type"] = o => Str(o, "spec", "type"),
    });

    /// <summary>
    /// core/v1 Events. "source" is source.component, falling back to reportingComponent as upstream does.
    /// </summary>
    public static FieldSet Events { get; } = new(true, new()
    {
        ["metadata.name"] = Name,
        ["metadata.namespace"] = Namespace,
        ["involvedObject.kind"] = o => Str(o, "involvedObject", "kind"),
        ["involvedObject.namespace"] = o => Str(o, "involvedObject", "namespace"),
        ["involvedObject.name"] = o => Str(o, "involvedObject", "name"),
        ["involvedObject.uid"] = o => Str(o, "involvedObject", "uid"),
        ["involvedObject.apiVersion"] = o => Str(o, "involvedObject", "apiVersion"),
        ["involvedObject.resourceVersion"] = o => Str(o, "involvedObject", "resourceVersion"),
        ["involvedObject.fieldPath"] = o => Str(o, "involvedObject", "fieldPath"),
        ["reason"] = o => Str(o, "reason"),
        ["reportingComponent"] = o => Str(o, "reportingComponent"),
        ["source"] = o => Str(o, "source", "component") is { Length: > 0 } c ? c : Str(o, "reportingComponent"),
        ["type"] = o => Str(o, "type"),
    });

    private static FieldSet Default(bool namespaced) => new(false, new()
    {
        ["metadata.name"] = Name,
        ["metadata.namespace"] = namespaced ? Namespace : _ => "",
    });

    private static string Name(JsonObject o) => Str(o, "metadata", "name");

    private static string Namespace(JsonObject o) => Str(o, "metadata", "namespace");

    // The internal pod keeps only podIPs; a v1 object carrying just the legacy podIP converts to podIPs[0].
    private static string PodIP(JsonObject o) =>
        o["status"]?["podIPs"] is JsonArray { Count: > 0 } ips ? Str(ips[0], "ip") : Str(o, "status", "podIP");

    private static string Bool(JsonObject o, params string[] path) => Json.Bool(o, path) == true ? "true" : "false";

    private static string Str(JsonNode? node, params string[] path) => Json.Text(node, path) ?? "";
}
