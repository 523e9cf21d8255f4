using System.Globalization;
using System.Text.Json.Nodes;
using KubeRescue.Kubernetes.Text;
using KubeRescue.Lab.ApiServer.Objects;

namespace KubeRescue.Lab.ApiServer.Tables;

// Row functions mirroring the print* functions of pkg/printers/internalversion/printers.go.
// Integer cells are longs because upstream appends int64 values.
internal static partial class Printers
{
    private const string NodeRolePrefix = "node-role.kubernetes.io/";
    private const string NodeRoleLabel = "kubernetes.io/role";

    private static string Name(JsonObject obj) => Json.Str(obj, "metadata", "name") ?? "";

    private static string Age(JsonObject obj, DateTimeOffset now) =>
        HumanDuration.Since(Json.Time(obj, "metadata", "creationTimestamp"), now);

    public static IReadOnlyList<object?> Node(JsonObject node, DateTimeOffset now)
    {
        // Only the Ready condition is summarised; the last one listed wins, as in upstream's map.
        string? ready = null;
        foreach (var condition in Json.Objs(node, "status", "conditions"))
        {
            if (Json.Str(condition, "type") == "Ready")
                ready = Json.Str(condition, "status") == "True" ? "Ready" : "NotReady";
        }
        var status = ready ?? "Unknown";
        if (Json.Bool(node, "spec", "unschedulable") == true)
            status += ",SchedulingDisabled";

        var roles = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var (key, value) in Json.StringMap(node, "metadata", "labels"))
        {
            if (key.StartsWith(NodeRolePrefix, StringComparison.Ordinal) && key.Length > NodeRolePrefix.Length)
                roles.Add(key[NodeRolePrefix.Length..]);
            else if (key == NodeRoleLabel && value.Length > 0)
                roles.Add(value);
        }

        var info = Json.Obj(node, "status", "nodeInfo");
        return
        [
            Name(node),
            status,
            roles.Count == 0 ? "<none>" : string.Join(",", roles),
            Age(node, now),
            Json.Str(info, "kubeletVersion") ?? "",
            NodeAddress(node, "InternalIP"),
            NodeAddress(node, "ExternalIP"),
            OrUnknown(Json.Str(info, "osImage") ?? ""),
            OrUnknown(Json.Str(info, "kernelVersion") ?? ""),
            OrUnknown(Json.Str(info, "containerRuntimeVersion") ?? ""),
        ];
    }

    private static string NodeAddress(JsonObject node, string type) =>
        Json.Objs(node, "status", "addresses").FirstOrDefault(a => Json.Str(a, "type") == type) is { } a
            ? Json.Str(a, "address") ?? ""
            : "<none>";

    private static string OrUnknown(string? value) => string.IsNullOrEmpty(value) ? "<unknown>" : value;

    public static IReadOnlyList<object?> Namespace(JsonObject ns, DateTimeOffset now) =>
        [Name(ns), Json.Str(ns, "status", "phase") ?? "", Age(ns, now)];

    public static IReadOnlyList<object?> Deployment(JsonObject deployment, DateTimeOffset now)
    {
        var (containers, images) = Format.Containers(Json.At(deployment, "spec", "template", "spec"));
        var ready = (Json.Long(deployment, "status", "readyReplicas") ?? 0);
        var desired = (Json.Long(deployment, "spec", "replicas") ?? 0);
        return
        [
            Name(deployment),
            string.Create(CultureInfo.InvariantCulture, $"{ready}/{desired}"),
            (Json.Long(deployment, "status", "updatedReplicas") ?? 0),
            (Json.Long(deployment, "status", "availableReplicas") ?? 0),
            Age(deployment, now),
            containers,
            images,
            Format.Selector(Json.Obj(deployment, "spec", "selector")) ?? "<invalid>",
        ];
    }

    public static IReadOnlyList<object?> ReplicaSet(JsonObject rs, DateTimeOffset now)
    {
        var (containers, images) = Format.Containers(Json.At(rs, "spec", "template", "spec"));
        return
        [
            Name(rs),
            (Json.Long(rs, "spec", "replicas") ?? 0),
            (Json.Long(rs, "status", "replicas") ?? 0),
            (Json.Long(rs, "status", "readyReplicas") ?? 0),
            Age(rs, now),
            containers,
            images,
            Format.LabelSelector(Json.Obj(rs, "spec", "selector")),
        ];
    }

    public static IReadOnlyList<object?> DaemonSet(JsonObject ds, DateTimeOffset now)
    {
        var podSpec = Json.At(ds, "spec", "template", "spec");
        var (containers, images) = Format.Containers(podSpec);
        return
        [
            Name(ds),
            (Json.Long(ds, "status", "desiredNumberScheduled") ?? 0),
            (Json.Long(ds, "status", "currentNumberScheduled") ?? 0),
            (Json.Long(ds, "status", "numberReady") ?? 0),
            (Json.Long(ds, "status", "updatedNumberScheduled") ?? 0),
            (Json.Long(ds, "status", "numberAvailable") ?? 0),
            Format.Labels(Json.StringMap(podSpec, "nodeSelector")),
            Age(ds, now),
            containers,
            images,
            Format.LabelSelector(Json.Obj(ds, "spec", "selector")),
        ];
    }

    public static IReadOnlyList<object?> Lease(JsonObject lease, DateTimeOffset now) =>
        [Name(lease), Json.Str(lease, "spec", "holderIdentity") ?? "", Age(lease, now)];

    public static IReadOnlyList<object?> Event(JsonObject ev, DateTimeOffset now)
    {
        // Events from the events.k8s.io API only set eventTime (and series), not the legacy timestamps.
        var firstTimestamp = Json.Time(ev, "firstTimestamp") is { } first
            ? HumanDuration.Since(first, now)
            : HumanDuration.Since(Json.Time(ev, "eventTime"), now);
        var lastTimestamp = Json.Time(ev, "lastTimestamp") is { } last ? HumanDuration.Since(last, now) : firstTimestamp;

        var count = (Json.Long(ev, "count") ?? 0);
        if (Json.Obj(ev, "series") is { } series)
        {
            lastTimestamp = HumanDuration.Since(Json.Time(series, "lastObservedTime"), now);
            count = (Json.Long(series, "count") ?? 0);
        }
        else if (count == 0)
        {
            count = 1;
        }

        var kind = (Json.Str(ev, "involvedObject", "kind") ?? "").ToLowerInvariant();
        var involvedName = Json.Str(ev, "involvedObject", "name") ?? "";
        var target = involvedName.Length > 0 ? kind + "/" + involvedName : kind;

        var component = FirstNonEmpty(Json.Str(ev, "source", "component") ?? "", Json.Str(ev, "reportingComponent") ?? "");
        var instance = FirstNonEmpty(Json.Str(ev, "source", "host") ?? "", Json.Str(ev, "reportingInstance") ?? "");
        var source = instance.Length == 0 ? component : component + ", " + instance;

        return
        [
            lastTimestamp,
            Json.Str(ev, "type") ?? "",
            Json.Str(ev, "reason") ?? "",
            target,
            Json.Str(ev, "involvedObject", "fieldPath") ?? "",
            source,
            (Json.Str(ev, "message") ?? "").Trim(),
            firstTimestamp,
            count,
            Name(ev),
        ];
    }

    private static string FirstNonEmpty(string? a, string? b) => string.IsNullOrEmpty(a) ? b ?? "" : a;

    public static IReadOnlyList<object?> ConfigMap(JsonObject cm, DateTimeOffset now) =>
        [Name(cm), (long)(Json.Count(cm, "data") + Json.Count(cm, "binaryData")), Age(cm, now)];

    public static IReadOnlyList<object?> Secret(JsonObject secret, DateTimeOffset now)
    {
        // stringData is merged into data when a request is decoded, so a key in both counts once.
        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var field in new[] { "data", "stringData" })
        {
            if (Json.Obj(secret, field) is { } map)
                keys.UnionWith(map.Select(kv => kv.Key));
        }
        return [Name(secret), Json.Str(secret, "type") ?? "", (long)keys.Count, Age(secret, now)];
    }

    public static IReadOnlyList<object?> ServiceAccount(JsonObject sa, DateTimeOffset now) =>
        [Name(sa), (long)Json.Count(sa, "secrets"), Age(sa, now)];

    public static IReadOnlyList<object?> Service(JsonObject svc, DateTimeOffset now)
    {
        var spec = Json.Obj(svc, "spec");
        var clusterIP = Json.At(spec, "clusterIPs") is JsonArray { Count: > 0 } ips
            ? Json.Str(ips[0]) ?? ""
            : Json.Str(spec, "clusterIP") ?? "";

        var ports = string.Join(",", Json.Objs(spec, "ports").Select(p =>
        {
            var port = Format.Int((Json.Long(p, "port") ?? 0));
            var nodePort = (Json.Long(p, "nodePort") ?? 0);
            var protocol = Json.Str(p, "protocol") ?? "";
            return nodePort > 0 ? $"{port}:{Format.Int(nodePort)}/{protocol}" : $"{port}/{protocol}";
        }));

        return
        [
            Name(svc),
            Json.Str(spec, "type") ?? "",
            Format.OrNone(clusterIP),
            ServiceExternalIP(svc),
            Format.OrNone(ports),
            Age(svc, now),
            Format.Labels(Json.StringMap(spec, "selector")),
        ];
    }

    // getServiceExternalIP as the server calls it: wide, so load-balancer addresses are never clipped.
    private static string ServiceExternalIP(JsonObject svc)
    {
        var externalIPs = (Json.At(svc, "spec", "externalIPs") as JsonArray ?? []).Select(n => Json.Str(n) ?? "").ToList();
        switch (Json.Str(svc, "spec", "type") ?? "")
        {
            case "ClusterIP":
            case "NodePort":
                return externalIPs.Count > 0 ? string.Join(",", externalIPs) : "<none>";
            case "LoadBalancer":
                var ingress = new SortedSet<string>(StringComparer.Ordinal);
                foreach (var i in Json.Objs(svc, "status", "loadBalancer", "ingress"))
                {
                    if (Json.Str(i, "ip") is { Length: > 0 } ip)
                        ingress.Add(ip);
                    else if (Json.Str(i, "hostname") is { Length: > 0 } hostname)
                        ingress.Add(hostname);
                }
                if (externalIPs.Count > 0)
                    return string.Join(",", ingress.Concat(externalIPs));
                return ingress.Count > 0 ? string.Join(",", ingress) : "<pending>";
            case "ExternalName":
                return Json.Str(svc, "spec", "externalName") ?? "";
            default:
                return "<unknown>";
        }
    }

    public static IReadOnlyList<object?> Endpoints(JsonObject endpoints, DateTimeOffset now) =>
        [Name(endpoints), Format.Endpoints(endpoints), Age(endpoints, now)];

    public static IReadOnlyList<object?> PodDisruptionBudget(JsonObject pdb, DateTimeOffset now) =>
    [
        Name(pdb),
        Json.Text(pdb, "spec", "minAvailable") ?? "N/A",
        Json.Text(pdb, "spec", "maxUnavailable") ?? "N/A",
        (Json.Long(pdb, "status", "disruptionsAllowed") ?? 0),
        Age(pdb, now),
    ];

    /// <summary>RoleBindings and ClusterRoleBindings: Kind/name of the role, then users, groups and service accounts (namespace/name).</summary>
    public static IReadOnlyList<object?> Binding(JsonObject binding, DateTimeOffset now)
    {
        var subjects = Json.Objs(binding, "subjects").ToList();
        string Names(string kind, Func<JsonObject, string> show) =>
            string.Join(", ", subjects.Where(s => Json.Str(s, "kind") == kind).Select(show));
        return
        [
            Name(binding),
            $"{Json.Str(binding, "roleRef", "kind")}/{Json.Str(binding, "roleRef", "name")}",
            Age(binding, now),
            Names("User", s => Json.Str(s, "name") ?? ""),
            Names("Group", s => Json.Str(s, "name") ?? ""),
            Names("ServiceAccount", s => $"{Json.Str(s, "namespace")}/{Json.Str(s, "name")}"),
        ];
    }

    // The default convertor prints the creation time itself (RFC 3339, UTC), not an age.
    public static IReadOnlyList<object?> Default(JsonObject obj, DateTimeOffset now)
    {
        var created = Json.Time(obj, "metadata", "creationTimestamp") ?? DateTimeOffset.MinValue;
        return [Name(obj), created.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)];
    }
}
