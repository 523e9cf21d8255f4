using System.Globalization;
using System.Text.Json.Nodes;
using System.Text;
using KubeRescue.Kubernetes.Selectors;
using KubeRescue.Kubernetes.Text;
using KubeRescue.Kubernetes.Validation;
using KubeRescue.Lab.ApiServer.Errors;
using static KubeRescue.Lab.ApiServer.Objects.Json;

namespace KubeRescue.Lab.ApiServer.Validation;

/// <summary>
/// Create and update validation of the kinds the lab serves, reproducing the field errors of the real API server
/// (Kubernetes 1.36) for what operators and controllers actually hit. Objects are expected after the server's
/// defaulting; absent fields the server would default (port protocol, restartPolicy, service type) count as
/// their defaults.
/// </summary>
public static partial class Validators
{
    private const string ImmutableMsg = "field is immutable";
    private const string SelectorMismatchMsg = "`selector` does not match template `labels`";
    private const int TotalAnnotationSizeLimit = 256 * 1024;
    private const int MaxSecretSize = 1024 * 1024;
    private static readonly string[] Protocols = ["SCTP", "TCP", "UDP"];

    /// <summary>
    /// ObjectMeta on create: generateName prefix, name (or "name or generateName is required"), namespace presence,
    /// generation, labels, annotations (keys and the 256 KiB total), ownerReferences and finalizers.
    /// </summary>
    public static IReadOnlyList<FieldError> ObjectMeta(JsonObject obj, bool namespaced, NameRule rule)
    {
        var errs = new List<FieldError>();
        var meta = Obj(obj, "metadata");
        var generateName = Str(meta, "generateName") ?? "";
        if (generateName.Length > 0)
        {
            foreach (var msg in NameErrors(rule, generateName, prefix: true))
            {
                errs.Add(FieldError.Invalid("metadata.generateName", GoFormat.Quote(generateName), msg));
            }
        }
        var name = Str(meta, "name") ?? "";
        if (name.Length == 0)
        {
            errs.Add(FieldError.Required("metadata.name", "name or generateName is required"));
        }
        else
        {
            foreach (var msg in NameErrors(rule, name, prefix: false))
            {
                errs.Add(FieldError.Invalid("metadata.name", GoFormat.Quote(name), msg));
            }
        }

        var ns = Str(meta, "namespace") ?? "";
        if (namespaced)
        {
            if (ns.Length == 0)
            {
                errs.Add(FieldError.Required("metadata.namespace"));
            }
            else
            {
                foreach (var msg in NameErrors(NameRule.DnsLabel, ns, prefix: false))
                {
                    errs.Add(FieldError.Invalid("metadata.namespace", GoFormat.Quote(ns), msg));
                }
            }
        }
        else if (ns.Length > 0)
        {
            errs.Add(FieldError.Forbidden("metadata.namespace", "not allowed on this type"));
        }

        if (Long(meta, "generation") is < 0 and var generation)
        {
            errs.Add(FieldError.Invalid("metadata.generation", Num(generation), "must be greater than or equal to 0"));
        }
        Labels(Obj(meta, "labels"), "metadata.labels", errs);
        Annotations(Obj(meta, "annotations"), "metadata.annotations", errs);
        OwnerReferences(Arr(meta, "ownerReferences"), errs);
        Finalizers(Arr(meta, "finalizers"), errs);
        return errs;
    }

    public static IReadOnlyList<FieldError> Pod(JsonObject obj)
    {
        var errs = ObjectMeta(obj, namespaced: true, NameRule.DnsSubdomain).ToList();
        PodSpec(Obj(obj, "spec"), "spec", errs);
        return errs;
    }

    public static IReadOnlyList<FieldError> Deployment(JsonObject obj) => Workload(obj, "deployment", hasReplicas: true);

    public static IReadOnlyList<FieldError> ReplicaSet(JsonObject obj) => Workload(obj, "deployment", hasReplicas: true);

    public static IReadOnlyList<FieldError> DaemonSet(JsonObject obj) => Workload(obj, "daemonset", hasReplicas: false);

    public static IReadOnlyList<FieldError> Service(JsonObject obj)
    {
        var errs = ObjectMeta(obj, namespaced: true, NameRule.Dns1035Label).ToList();
        var spec = Obj(obj, "spec");
        var type = Str(spec, "type") ?? "ClusterIP";
        var ports = Arr(spec, "ports") ?? [];
        var headless = Str(spec, "clusterIP") == "None";
        if (ports.Count == 0 && !headless && type != "ExternalName")
        {
            errs.Add(FieldError.Required("spec.ports"));
        }
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < ports.Count; i++)
        {
            var port = ports[i];
            var path = $"spec.ports[{i}]";
            var name = Str(port, "name") ?? "";
            if (ports.Count > 1 && name.Length == 0)
            {
                errs.Add(FieldError.Required(path + ".name"));
            }
            else if (name.Length > 0)
            {
                InvalidEach(errs, path + ".name", GoFormat.Quote(name), Content.IsDNS1123Label(name));
                if (!names.Add(name))
                {
                    errs.Add(FieldError.Duplicate(path + ".name", GoFormat.Quote(name)));
                }
            }
            var number = Long(port, "port") ?? 0;
            InvalidEach(errs, path + ".port", Num(number), Content.IsValidPortNum(number));
            Protocol(port, path, errs);
            switch (port is JsonObject p ? p["targetPort"] : null)
            {
                case JsonValue v when v.TryGetValue<string>(out var targetName):
                    InvalidEach(errs, path + ".targetPort", GoFormat.Quote(targetName), Content.IsValidPortName(targetName));
                    break;
                case JsonValue v when AsLong(v) is { } target and not 0:
                    InvalidEach(errs, path + ".targetPort", Num(target), Content.IsValidPortNum(target));
                    break;
            }
        }
        if (type is not ("ClusterIP" or "ExternalName" or "LoadBalancer" or "NodePort"))
        {
            errs.Add(FieldError.NotSupported("spec.type", GoFormat.Quote(type), ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"]));
        }
        if (type == "ClusterIP")
        {
            for (var i = 0; i < ports.Count; i++)
            {
                if ((Long(ports[i], "nodePort") ?? 0) != 0)
                {
                    errs.Add(FieldError.Forbidden($"spec.ports[{i}].nodePort", "may not be used when `type` is 'ClusterIP'"));
                }
            }
        }
        return errs;
    }

    public static IReadOnlyList<FieldError> Lease(JsonObject obj)
    {
        var errs = ObjectMeta(obj, namespaced: true, NameRule.DnsSubdomain).ToList();
        var spec = Obj(obj, "spec");
        if (Long(spec, "leaseDurationSeconds") is <= 0 and var duration)
        {
            errs.Add(FieldError.Invalid("spec.leaseDurationSeconds", Num(duration), "must be greater than 0"));
        }
        if (Long(spec, "leaseTransitions") is < 0 and var transitions)
        {
            errs.Add(FieldError.Invalid("spec.leaseTransitions", Num(transitions), "must be greater than or equal to 0"));
        }
        return errs;
    }

    public static IReadOnlyList<FieldError> PodDisruptionBudget(JsonObject obj)
    {
        var errs = ObjectMeta(obj, namespaced: true, NameRule.DnsSubdomain).ToList();
        var spec = Obj(obj, "spec");
        var minAvailable = spec?["minAvailable"];
        var maxUnavailable = spec?["maxUnavailable"];
        if (minAvailable is not null && maxUnavailable is not null)
        {
            // The bad value is the internal policy.PodDisruptionBudgetSpec, which has no json tags: Go field names.
            var rendered = new JsonObject
            {
                ["MinAvailable"] = minAvailable.DeepClone(),
                ["Selector"] = SelectorForMessage(Obj(spec, "selector")),
                ["MaxUnavailable"] = maxUnavailable.DeepClone(),
                ["UnhealthyPodEvictionPolicy"] = spec?["unhealthyPodEvictionPolicy"]?.DeepClone(),
            };
            errs.Add(FieldError.Invalid("spec", GoFormat.Json(rendered), "minAvailable and maxUnavailable cannot be both set"));
        }
        foreach (var (key, value) in new[] { ("minAvailable", minAvailable), ("maxUnavailable", maxUnavailable) })
        {
            if (AsLong(value) is < 0 and var n)
            {
                errs.Add(FieldError.Invalid("spec." + key, Num(n), "must be greater than or equal to 0"));
            }
        }
        LabelSelectorErrors(Obj(spec, "selector"), "spec.selector", errs);
        return errs;
    }

    public static IReadOnlyList<FieldError> Namespace(JsonObject obj) => ObjectMeta(obj, namespaced: false, NameRule.DnsLabel);

    public static IReadOnlyList<FieldError> Node(JsonObject obj) => ObjectMeta(obj, namespaced: false, NameRule.DnsSubdomain);

    public static IReadOnlyList<FieldError> ServiceAccount(JsonObject obj) => ObjectMeta(obj, namespaced: true, NameRule.DnsSubdomain);

    public static IReadOnlyList<FieldError> Endpoints(JsonObject obj) => ObjectMeta(obj, namespaced: true, NameRule.DnsSubdomain);

    public static IReadOnlyList<FieldError> ConfigMap(JsonObject obj)
    {
        var errs = ObjectMeta(obj, namespaced: true, NameRule.DnsSubdomain).ToList();
        var data = Obj(obj, "data");
        var binaryData = Obj(obj, "binaryData");
        long total = 0;
        foreach (var (key, value) in StringMap(data))
        {
            InvalidEach(errs, $"data[{key}]", GoFormat.Quote(key), Content.IsConfigMapKey(key));
            if (binaryData?.ContainsKey(key) == true)
            {
                errs.Add(FieldError.Invalid($"data[{key}]", GoFormat.Quote(key), "duplicate of key present in binaryData"));
            }
            total += Encoding.UTF8.GetByteCount(value);
        }
        foreach (var (key, value) in StringMap(binaryData))
        {
            InvalidEach(errs, $"binaryData[{key}]", GoFormat.Quote(key), Content.IsConfigMapKey(key));
            total += DecodedLength(value);
        }
        if (total > MaxSecretSize)
        {
            // Upstream reports the whole object with an empty field path.
            errs.Add(FieldError.TooLong("", MaxSecretSize));
        }
        return errs;
    }

    /// <summary>
    /// Secrets: data keys (including stringData keys, which the server merges into data first), the 1 MiB total,
    /// and the keys required by the service-account-token, tls and dockerconfigjson types. Undecodable base64
    /// in data is a 400 decode error upstream, not a field error: see <see cref="SecretDataDecodeError"/>.
    /// </summary>
    public static IReadOnlyList<FieldError> Secret(JsonObject obj)
    {
        var errs = ObjectMeta(obj, namespaced: true, NameRule.DnsSubdomain).ToList();
        var sizes = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (key, value) in StringMap(Obj(obj, "data")))
        {
            sizes[key] = DecodedLength(value);
        }
        foreach (var (key, value) in StringMap(Obj(obj, "stringData")))
        {
            sizes[key] = Encoding.UTF8.GetByteCount(value);
        }
        foreach (var key in sizes.Keys)
        {
            InvalidEach(errs, $"data[{key}]", GoFormat.Quote(key), Content.IsConfigMapKey(key));
        }
        if (sizes.Values.Sum() > MaxSecretSize)
        {
            errs.Add(FieldError.TooLong("data", MaxSecretSize));
        }
        switch (Str(obj, "type"))
        {
            case "kubernetes.io/service-account-token":
                if ((Str(Obj(Obj(obj, "metadata"), "annotations"), "kubernetes.io/service-account.name") ?? "").Length == 0)
                {
                    errs.Add(FieldError.Required("metadata.annotations[kubernetes.io/service-account.name]"));
                }
                break;
            case "kubernetes.io/tls":
                foreach (var key in new[] { "tls.crt", "tls.key" }.Where(k => !sizes.ContainsKey(k)))
                {
                    errs.Add(FieldError.Required($"data[{key}]"));
                }
                break;
            case "kubernetes.io/dockerconfigjson" when !sizes.ContainsKey(".dockerconfigjson"):
                errs.Add(FieldError.Required("data[.dockerconfigjson]"));
                break;
        }
        return errs;
    }

    /// <summary>
    /// Null when every Secret data value is valid base64, else the 400 message the server returns when decoding
    /// the request body fails (Go's base64 CorruptInputError offset).
    /// </summary>
    public static string? SecretDataDecodeError(JsonObject obj)
    {
        foreach (var (_, value) in StringMap(Obj(obj, "data")))
        {
            if (Base64CorruptOffset(value) is { } offset)
            {
                return $"Secret in version \"v1\" cannot be handled as a Secret: illegal base64 data at input byte {offset}";
            }
        }
        return null;
    }

    /// <summary>core/v1 Events without eventTime: involvedObject.namespace must match the event's namespace.</summary>
    public static IReadOnlyList<FieldError> Event(JsonObject obj)
    {
        var errs = ObjectMeta(obj, namespaced: true, NameRule.DnsSubdomain).ToList();
        var ns = Str(Obj(obj, "metadata"), "namespace") ?? "";
        var involvedNs = Str(Obj(obj, "involvedObject"), "namespace") ?? "";
        var eventTimeSet = (Str(obj, "eventTime") ?? "").Length > 0;
        bool mismatch = eventTimeSet
            ? involvedNs.Length == 0 && ns != "default" && ns != "kube-system"
            : involvedNs.Length == 0 ? ns.Length > 0 && ns != "default" : ns != involvedNs;
        if (mismatch)
        {
            errs.Add(FieldError.Invalid("involvedObject.namespace", GoFormat.Quote(involvedNs), "does not match event.namespace"));
        }
        return errs;
    }

    /// <summary>
    /// Update rules operators run into: metadata.name/namespace/uid are immutable; a Pod's spec may only change in
    /// container images, activeDeadlineSeconds (downwards), added tolerations and a negative grace period set to 1;
    /// apps/v1 Deployment, ReplicaSet and DaemonSet selectors are immutable. <paramref name="kind"/> is the Kind.
    /// </summary>
    public static IReadOnlyList<FieldError> ImmutableFieldsOnUpdate(string kind, JsonObject oldObj, JsonObject newObj)
    {
        var errs = new List<FieldError>();
        var oldMeta = Obj(oldObj, "metadata");
        var newMeta = Obj(newObj, "metadata");
        foreach (var field in new[] { "name", "namespace", "uid" })
        {
            var newValue = Str(newMeta, field) ?? "";
            if (newValue != (Str(oldMeta, field) ?? ""))
            {
                errs.Add(FieldError.Invalid("metadata." + field, GoFormat.Quote(newValue), ImmutableMsg));
            }
        }
        switch (kind)
        {
            case "Pod":
                PodSpecUpdate(Obj(oldObj, "spec"), Obj(newObj, "spec"), errs);
                break;
            case "Deployment" or "ReplicaSet" or "DaemonSet":
                var newSelector = Obj(Obj(newObj, "spec"), "selector");
                if (!SemanticEquals(Obj(Obj(oldObj, "spec"), "selector"), newSelector))
                {
                    errs.Add(FieldError.Invalid("spec.selector", GoFormat.Json(SelectorForMessage(newSelector)), ImmutableMsg));
                }
                break;
        }
        return errs;
    }

    private static IReadOnlyList<FieldError> Workload(JsonObject obj, string emptySelectorNoun, bool hasReplicas)
    {
        var errs = ObjectMeta(obj, namespaced: true, NameRule.DnsSubdomain).ToList();
        var spec = Obj(obj, "spec");
        if (hasReplicas && Long(spec, "replicas") is < 0 and var replicas)
        {
            errs.Add(FieldError.Invalid("spec.replicas", Num(replicas), "must be greater than or equal to 0"));
        }
        var selectorJson = Obj(spec, "selector");
        if (selectorJson is null)
        {
            errs.Add(FieldError.Required("spec.selector"));
        }
        else
        {
            LabelSelectorErrors(selectorJson, "spec.selector", errs);
            if ((Obj(selectorJson, "matchLabels")?.Count ?? 0) + (Arr(selectorJson, "matchExpressions")?.Count ?? 0) == 0)
            {
                errs.Add(FieldError.Invalid("spec.selector", GoFormat.Json(SelectorForMessage(selectorJson)),
                    $"empty selector is invalid for {emptySelectorNoun}"));
            }
        }

        var template = Obj(spec, "template");
        var templateLabels = Obj(Obj(template, "metadata"), "labels");
        LabelSelector? selector = null;
        try
        {
            selector = LabelSelector.FromLabelSelectorJson(selectorJson);
        }
        catch (SelectorException)
        {
            errs.Add(FieldError.Invalid("spec.selector", GoFormat.Json(SelectorForMessage(selectorJson)), "invalid label selector"));
        }
        if (selector is { IsEmpty: false } && !selector.Matches(StringMap(templateLabels).ToDictionary(p => p.Key, p => p.Value)))
        {
            errs.Add(FieldError.Invalid("spec.template.metadata.labels", GoFormat.Json(GoFormat.SortedMap(templateLabels)), SelectorMismatchMsg));
        }

        Labels(templateLabels, "spec.template.labels", errs);
        Annotations(Obj(Obj(template, "metadata"), "annotations"), "spec.template.annotations", errs);
        var podSpec = Obj(template, "spec");
        PodSpec(podSpec, "spec.template.spec", errs);
        var restartPolicy = Str(podSpec, "restartPolicy") ?? "Always";
        if (restartPolicy != "Always")
        {
            errs.Add(FieldError.NotSupported("spec.template.spec.restartPolicy", GoFormat.Quote(restartPolicy), ["Always"]));
        }
        return errs;
    }

    private static void PodSpec(JsonObject? spec, string path, List<FieldError> errs)
    {
        var containers = Arr(spec, "containers");
        if (containers is null || containers.Count == 0)
        {
            errs.Add(FieldError.Required(path + ".containers"));
        }
        var names = new HashSet<string>(StringComparer.Ordinal);
        Containers(containers, path + ".containers", names, errs);
        Containers(Arr(spec, "initContainers"), path + ".initContainers", names, errs);
        var restartPolicy = Str(spec, "restartPolicy");
        if (restartPolicy is not (null or "Always" or "OnFailure" or "Never"))
        {
            errs.Add(restartPolicy.Length == 0
                ? FieldError.Required(path + ".restartPolicy")
                : FieldError.NotSupported(path + ".restartPolicy", GoFormat.Quote(restartPolicy), ["Always", "OnFailure", "Never"]));
        }
    }

    // Container names are unique across containers and initContainers (the set is shared).
    private static void Containers(JsonArray? containers, string path, HashSet<string> names, List<FieldError> errs)
    {
        for (var i = 0; i < (containers?.Count ?? 0); i++)
        {
            var container = containers![i];
            var p = $"{path}[{i}]";
            var name = Str(container, "name") ?? "";
            if (name.Length == 0)
            {
                errs.Add(FieldError.Required(p + ".name"));
            }
            else
            {
                InvalidEach(errs, p + ".name", GoFormat.Quote(name), Content.IsDNS1123Label(name));
            }
            if (!names.Add(name))
            {
                errs.Add(FieldError.Duplicate(p + ".name", GoFormat.Quote(name)));
            }
            if ((Str(container, "image") ?? "").Length == 0)
            {
                errs.Add(FieldError.Required(p + ".image"));
            }
            ContainerPorts(Arr(container, "ports"), p + ".ports", errs);
        }
    }

    private static void ContainerPorts(JsonArray? ports, string path, List<FieldError> errs)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < (ports?.Count ?? 0); i++)
        {
            var port = ports![i];
            var p = $"{path}[{i}]";
            var name = Str(port, "name") ?? "";
            if (name.Length > 0)
            {
                var nameErrs = Content.IsValidPortName(name);
                if (nameErrs.Count > 0)
                {
                    InvalidEach(errs, p + ".name", GoFormat.Quote(name), nameErrs);
                }
                else if (!names.Add(name))
                {
                    errs.Add(FieldError.Duplicate(p + ".name", GoFormat.Quote(name)));
                }
            }
            var containerPort = Long(port, "containerPort") ?? 0;
            if (containerPort == 0)
            {
                errs.Add(FieldError.Required(p + ".containerPort"));
            }
            else
            {
                InvalidEach(errs, p + ".containerPort", Num(containerPort), Content.IsValidPortNum(containerPort));
            }
            var hostPort = Long(port, "hostPort") ?? 0;
            if (hostPort != 0)
            {
                InvalidEach(errs, p + ".hostPort", Num(hostPort), Content.IsValidPortNum(hostPort));
            }
            Protocol(port, p, errs);
        }
    }

    private static void Protocol(JsonNode? port, string path, List<FieldError> errs)
    {
        var protocol = Str(port, "protocol") ?? "TCP";
        if (protocol.Length == 0)
        {
            errs.Add(FieldError.Required(path + ".protocol"));
        }
        else if (!Protocols.Contains(protocol))
        {
            errs.Add(FieldError.NotSupported(path + ".protocol", GoFormat.Quote(protocol), Protocols));
        }
    }

    private static void PodSpecUpdate(JsonObject? oldSpec, JsonObject? newSpec, List<FieldError> errs)
    {
        if ((Arr(newSpec, "containers")?.Count ?? 0) != (Arr(oldSpec, "containers")?.Count ?? 0))
        {
            errs.Add(FieldError.Forbidden("spec.containers", "pod updates may not add or remove containers"));
            return;
        }
        var newDeadline = Long(newSpec, "activeDeadlineSeconds");
        var oldDeadline = Long(oldSpec, "activeDeadlineSeconds");
        if (newDeadline is { } deadline)
        {
            if (deadline is < 0 or > int.MaxValue)
            {
                errs.Add(FieldError.Invalid("spec.activeDeadlineSeconds", Num(deadline), Content.InclusiveRangeError(0, int.MaxValue)));
                return;
            }
            if (oldDeadline < deadline)
            {
                errs.Add(FieldError.Invalid("spec.activeDeadlineSeconds", Num(deadline), "must be less than or equal to previous value"));
                return;
            }
        }
        else if (oldDeadline is not null)
        {
            errs.Add(FieldError.Invalid("spec.activeDeadlineSeconds", "null", "must not update from a positive integer to nil value"));
        }

        // Copy the fields that may change from old to new; whatever then still differs is forbidden.
        var munged = (JsonObject)(newSpec?.DeepClone() ?? new JsonObject());
        foreach (var list in new[] { "containers", "initContainers" })
        {
            if (Arr(munged, list) is { } mungedList && Arr(oldSpec, list) is { } oldList && mungedList.Count == oldList.Count)
            {
                for (var i = 0; i < mungedList.Count; i++)
                {
                    if (mungedList[i] is JsonObject c)
                    {
                        c["image"] = oldList[i]?["image"]?.DeepClone();
                    }
                }
            }
        }
        munged["activeDeadlineSeconds"] = oldSpec?["activeDeadlineSeconds"]?.DeepClone();
        if (Long(oldSpec, "terminationGracePeriodSeconds") < 0 && Long(newSpec, "terminationGracePeriodSeconds") == 1)
        {
            munged["terminationGracePeriodSeconds"] = oldSpec?["terminationGracePeriodSeconds"]?.DeepClone();
        }
        var newTolerations = Arr(newSpec, "tolerations") ?? [];
        foreach (var old in Arr(oldSpec, "tolerations") ?? [])
        {
            if (!newTolerations.Any(t => SemanticEquals(WithoutSeconds(t), WithoutSeconds(old))))
            {
                errs.Add(FieldError.Forbidden("spec.tolerations", "existing toleration can not be modified except its tolerationSeconds"));
                break;
            }
        }
        munged["tolerations"] = oldSpec?["tolerations"]?.DeepClone();

        if (!SemanticEquals(oldSpec, munged))
        {
            // Upstream appends a go-cmp diff of its internal PodSpec, which has no JSON equivalent; the lead text is exact.
            errs.Add(FieldError.Forbidden("spec",
                "pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)"));
        }
    }

    private static JsonNode? WithoutSeconds(JsonNode? toleration)
    {
        if (toleration?.DeepClone() is not JsonObject copy)
        {
            return toleration;
        }
        copy.Remove("tolerationSeconds");
        return copy;
    }

    private static void Labels(JsonObject? labels, string path, List<FieldError> errs)
    {
        foreach (var (key, value) in StringMap(labels))
        {
            InvalidEach(errs, path, GoFormat.Quote(key), Content.IsQualifiedName(key));
            InvalidEach(errs, path, GoFormat.Quote(value), Content.IsLabelValue(value));
        }
    }

    private static void Annotations(JsonObject? annotations, string path, List<FieldError> errs)
    {
        long total = 0;
        foreach (var (key, value) in StringMap(annotations))
        {
            // Annotation keys are checked case-insensitively, but reported as written.
            InvalidEach(errs, path, GoFormat.Quote(key), Content.IsQualifiedName(key.ToLowerInvariant()));
            total += Encoding.UTF8.GetByteCount(key) + Encoding.UTF8.GetByteCount(value);
        }
        if (total > TotalAnnotationSizeLimit)
        {
            errs.Add(FieldError.TooLong(path, TotalAnnotationSizeLimit));
        }
    }

    private static void OwnerReferences(JsonArray? refs, List<FieldError> errs)
    {
        const string path = "metadata.ownerReferences";
        string? firstController = null;
        foreach (var owner in refs ?? [])
        {
            var apiVersion = Str(owner, "apiVersion") ?? "";
            var kind = Str(owner, "kind") ?? "";
            var (group, version) = apiVersion.LastIndexOf('/') is var slash and >= 0
                ? (apiVersion[..slash], apiVersion[(slash + 1)..])
                : ("", apiVersion);
            if (version.Length == 0)
            {
                errs.Add(FieldError.Invalid(path + ".apiVersion", GoFormat.Quote(apiVersion), "version must not be empty"));
            }
            if (kind.Length == 0)
            {
                errs.Add(FieldError.Invalid(path + ".kind", GoFormat.Quote(kind), "must not be empty"));
            }
            foreach (var field in new[] { "name", "uid" })
            {
                var value = Str(owner, field) ?? "";
                if (value.Length == 0)
                {
                    errs.Add(FieldError.Invalid(path + "." + field, GoFormat.Quote(value), "must not be empty"));
                }
            }
            if (group.Length == 0 && version == "v1" && kind == "Event")
            {
                errs.Add(FieldError.Invalid(path, GoFormat.Json(OwnerReferenceForMessage(owner)), "/v1, Kind=Event is disallowed from being an owner"));
            }
            if (owner?["controller"] is JsonValue c && c.TryGetValue<bool>(out var isController) && isController)
            {
                var current = kind + "/" + (Str(owner, "name") ?? "");
                if (firstController is null)
                {
                    firstController = current;
                }
                else
                {
                    errs.Add(FieldError.Invalid(path, GoFormat.Json(new JsonArray(refs!.Select(r => (JsonNode?)OwnerReferenceForMessage(r)).ToArray())),
                        $"Only one reference can have Controller set to true. Found \"true\" in references for {firstController} and {current}"));
                }
            }
        }
    }

    private static void Finalizers(JsonArray? finalizers, List<FieldError> errs)
    {
        var values = (finalizers ?? []).Select(f => f is JsonValue v && v.TryGetValue<string>(out var s) ? s : "").ToList();
        foreach (var finalizer in values)
        {
            InvalidEach(errs, "metadata.finalizers", GoFormat.Quote(finalizer), Content.IsQualifiedName(finalizer));
        }
        if (values.Contains("orphan") && values.Contains("foregroundDeletion"))
        {
            errs.Add(FieldError.Invalid("metadata.finalizers", GoFormat.Json(finalizers!.DeepClone()),
                "finalizer orphan and foregroundDeletion cannot be both set"));
        }
    }

    // metav1 ValidateLabelSelector: matchLabels like labels, each matchExpression's operator, values and key.
    private static void LabelSelectorErrors(JsonObject? selector, string path, List<FieldError> errs)
    {
        if (selector is null)
        {
            return;
        }
        Labels(Obj(selector, "matchLabels"), path + ".matchLabels", errs);
        var expressions = Arr(selector, "matchExpressions") ?? [];
        for (var i = 0; i < expressions.Count; i++)
        {
            var p = $"{path}.matchExpressions[{i}]";
            var expr = expressions[i];
            var values = Arr(expr, "values") ?? [];
            var op = Str(expr, "operator") ?? "";
            switch (op)
            {
                case "In" or "NotIn" when values.Count == 0:
                    errs.Add(FieldError.Required(p + ".values", "must be specified when `operator` is 'In' or 'NotIn'"));
                    break;
                case "Exists" or "DoesNotExist" when values.Count > 0:
                    errs.Add(FieldError.Forbidden(p + ".values", "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
                    break;
                case "In" or "NotIn" or "Exists" or "DoesNotExist":
                    break;
                default:
                    errs.Add(FieldError.Invalid(p + ".operator", GoFormat.Quote(op), "not a valid selector operator"));
                    break;
            }
            var key = Str(expr, "key") ?? "";
            InvalidEach(errs, p + ".key", GoFormat.Quote(key), Content.IsQualifiedName(key));
            for (var j = 0; j < values.Count; j++)
            {
                var value = values[j] is JsonValue v && v.TryGetValue<string>(out var s) ? s : "";
                InvalidEach(errs, $"{p}.values[{j}]", GoFormat.Quote(value), Content.IsLabelValue(value));
            }
        }
    }

    // metav1.LabelSelector as Go marshals it: matchLabels (sorted) then matchExpressions, both omitempty.
    private static JsonObject? SelectorForMessage(JsonObject? selector)
    {
        if (selector is null)
        {
            return null;
        }
        var rendered = new JsonObject();
        if (Obj(selector, "matchLabels") is { Count: > 0 } labels)
        {
            rendered["matchLabels"] = GoFormat.SortedMap(labels);
        }
        if (Arr(selector, "matchExpressions") is { Count: > 0 } expressions)
        {
            rendered["matchExpressions"] = new JsonArray(expressions.Select(e =>
            {
                var r = new JsonObject { ["key"] = Str(e, "key") ?? "", ["operator"] = Str(e, "operator") ?? "" };
                if (Arr(e, "values") is { Count: > 0 } values)
                {
                    r["values"] = values.DeepClone();
                }
                return (JsonNode?)r;
            }).ToArray());
        }
        return rendered;
    }

    private static JsonObject OwnerReferenceForMessage(JsonNode? owner)
    {
        var rendered = new JsonObject
        {
            ["apiVersion"] = Str(owner, "apiVersion") ?? "",
            ["kind"] = Str(owner, "kind") ?? "",
            ["name"] = Str(owner, "name") ?? "",
            ["uid"] = Str(owner, "uid") ?? "",
        };
        foreach (var flag in new[] { "controller", "blockOwnerDeletion" })
        {
            if (owner?[flag] is JsonValue v)
            {
                rendered[flag] = v.DeepClone();
            }
        }
        return rendered;
    }

    private static IEnumerable<string> NameErrors(NameRule rule, string name, bool prefix)
    {
        // A generateName prefix may end in '-': upstream masks that (replacing the last two characters with 'a').
        if (prefix && rule != NameRule.PathSegment && name.Length > 1 && name.EndsWith('-'))
        {
            name = name[..^2] + "a";
        }
        return rule switch
        {
            NameRule.DnsSubdomain => Content.IsDNS1123Subdomain(name),
            NameRule.DnsLabel => Content.IsDNS1123Label(name),
            NameRule.Dns1035Label => Content.IsDNS1035Label(name),
            _ => Content.IsPathSegmentName(name, prefix),
        };
    }

    private static void InvalidEach(List<FieldError> errs, string path, string rendered, IEnumerable<string> messages)
    {
        foreach (var msg in messages)
        {
            errs.Add(FieldError.Invalid(path, rendered, msg));
        }
    }

    private static string Num(long n) => n.ToString(CultureInfo.InvariantCulture);

    private static long DecodedLength(string base64)
    {
        var trimmed = base64.TrimEnd('=');
        return trimmed.Length * 3L / 4;
    }

    // Go's base64.StdEncoding.Decode: the CorruptInputError offset of the first problem, or null when valid.
    // Newlines are skipped, as Go does.
    private static int? Base64CorruptOffset(string s)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        var si = 0;
        while (true)
        {
            for (var j = 0; j < 4; j++)
            {
                while (si < s.Length && s[si] is '\r' or '\n')
                {
                    si++;
                }
                if (si == s.Length)
                {
                    // An incomplete final quantum is reported at its start.
                    return j == 0 ? null : si - j;
                }
                var c = s[si++];
                if (c == '=')
                {
                    if (j < 2)
                    {
                        return si - 1;
                    }
                    if (j == 2)
                    {
                        while (si < s.Length && s[si] is '\r' or '\n')
                        {
                            si++;
                        }
                        if (si == s.Length)
                        {
                            return s.Length;
                        }
                        if (s[si] != '=')
                        {
                            return si - 1;
                        }
                        si++;
                    }
                    while (si < s.Length && s[si] is '\r' or '\n')
                    {
                        si++;
                    }
                    return si < s.Length ? si : null;
                }
                if (!alphabet.Contains(c))
                {
                    return si - 1;
                }
            }
        }
    }
}
