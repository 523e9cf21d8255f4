using System.Collections.Frozen;
using System.Reflection;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using k8s.Models;

namespace KubeRescue.Lab.ApiServer.OpenApi;

/// <summary>
/// Maps KubernetesClient model classes to the definition names the real server publishes
/// (io.k8s.api.core.v1.PodSpec, io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta, ...).
/// The C# names drop the API group of nested types, so the group is recovered from the
/// top-level kinds that reference each type.
/// </summary>
internal static partial class ModelNames
{
    private const string MetaPrefix = "io.k8s.apimachinery.pkg.apis.meta.v1.";

    public const string IntOrString = "io.k8s.apimachinery.pkg.util.intstr.IntOrString";
    public const string Quantity = "io.k8s.apimachinery.pkg.api.resource.Quantity";
    public const string Time = MetaPrefix + "Time";
    public const string MicroTime = MetaPrefix + "MicroTime";
    public const string Patch = MetaPrefix + "Patch";
    public const string Status = MetaPrefix + "Status";
    public const string DeleteOptions = MetaPrefix + "DeleteOptions";

    // Types generated from apimachinery's meta/v1 package; their C# names carry no group hint.
    private static readonly FrozenSet<string> MetaV1Types = new[]
    {
        "APIGroup", "APIGroupList", "APIResource", "APIResourceList", "APIVersions", "Condition", "DeleteOptions",
        "FieldSelectorRequirement", "GroupVersionForDiscovery", "LabelSelector", "LabelSelectorRequirement", "ListMeta",
        "ManagedFieldsEntry", "ObjectMeta", "OwnerReference", "Patch", "Preconditions", "ServerAddressByClientCIDR",
        "Status", "StatusCause", "StatusDetails", "WatchEvent",
    }.ToFrozenSet();

    // Go packages whose definitions live outside io.k8s.api.
    private static readonly FrozenDictionary<string, string> PackageRoots = new Dictionary<string, string>
    {
        ["apiextensions"] = "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions",
        ["apiregistration"] = "io.k8s.kube-aggregator.pkg.apis.apiregistration",
    }.ToFrozenDictionary();

    // Fields upstream types as metav1.MicroTime; the client models only say DateTime.
    private static readonly FrozenSet<(string Type, string Property)> MicroTimeFields = new[]
    {
        ("V1LeaseSpec", "acquireTime"), ("V1LeaseSpec", "renewTime"),
        ("Corev1Event", "eventTime"), ("Corev1EventSeries", "lastObservedTime"),
        ("Eventsv1Event", "eventTime"), ("Eventsv1EventSeries", "lastObservedTime"),
    }.ToFrozenSet();

    private static readonly Lazy<FrozenDictionary<Type, string>> Names = new(Build);

    public static string DefinitionName(Type model) =>
        Names.Value.TryGetValue(model, out var name)
            ? name
            : throw new ArgumentException($"{model} is not a KubernetesClient model", nameof(model));

    public static bool IsMicroTime(Type declaringType, string jsonName) => MicroTimeFields.Contains((declaringType.Name, jsonName));

    /// <summary>Properties of a model keyed by JSON name, in declaration order.</summary>
    public static IReadOnlyList<(string JsonName, PropertyInfo Property)> JsonProperties(Type model) =>
        model.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Select(p => (Name: p.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name, p))
            .Where(x => x.Name is not null)
            .Select(x => (x.Name!, x.p))
            .ToList();

    /// <summary>Model classes referenced by a property type (element types of lists and dictionaries included).</summary>
    public static Type? ReferencedModel(Type propertyType)
    {
        var t = ElementType(propertyType);
        return IsModel(t) ? t : null;
    }

    public static Type ElementType(Type t)
    {
        t = Nullable.GetUnderlyingType(t) ?? t;
        if (t == typeof(byte[]) || t == typeof(string)) return t;
        if (t.IsArray) return ElementType(t.GetElementType()!);
        if (t.IsGenericType && t.GetGenericArguments() is { Length: > 0 } args && typeof(System.Collections.IEnumerable).IsAssignableFrom(t))
            return ElementType(args[^1]);
        return t;
    }

    public static bool IsModel(Type t) =>
        t.IsClass && t.Namespace == "k8s.Models" && t.Assembly == typeof(V1Pod).Assembly
        && t != typeof(IntOrString) && t != typeof(ResourceQuantity) && t != typeof(V1Patch)
        && t.GetCustomAttribute<JsonConverterAttribute>() is null;

    [GeneratedRegex("^V(?<v>[0-9]+(?:(?:alpha|beta)[0-9]+)?)(?<n>[A-Z].*)$")]
    private static partial Regex VersionedName();

    [GeneratedRegex("^(?<p>[A-Z][a-z]+)v(?<v>[0-9]+(?:(?:alpha|beta)[0-9]+)?)(?<n>[A-Z].*)$")]
    private static partial Regex PackagedName();

    private static FrozenDictionary<Type, string> Build()
    {
        var models = typeof(V1Pod).Assembly.GetTypes().Where(t => t.IsPublic && IsModel(t)).ToList();
        var groupsReaching = GroupsReachingEachType(models);
        var result = new Dictionary<Type, string>
        {
            [typeof(VersionInfo)] = "io.k8s.apimachinery.pkg.version.Info",
        };
        foreach (var t in models)
        {
            if (result.ContainsKey(t)) continue;
            if (PackagedName().Match(t.Name) is { Success: true } pm)
            {
                result[t] = $"{PackageRoot(pm.Groups["p"].Value.ToLowerInvariant())}.v{pm.Groups["v"].Value}.{pm.Groups["n"].Value}";
                continue;
            }
            if (VersionedName().Match(t.Name) is not { Success: true } vm) continue;
            var version = "v" + vm.Groups["v"].Value;
            var name = vm.Groups["n"].Value;
            if (version == "v1" && MetaV1Types.Contains(name))
            {
                result[t] = MetaPrefix + name;
                continue;
            }
            var group = t.GetCustomAttribute<KubernetesEntityAttribute>()?.Group
                ?? ChooseGroup(name, groupsReaching.GetValueOrDefault(t));
            if (group is null) continue;
            result[t] = $"{PackageRoot(GoPackage(group))}.{version}.{name}";
        }
        return result.ToFrozenDictionary();
    }

    // Nested types belong to the package of the kinds that use them. A type used by core kinds is a core type
    // (PodSpec is reached from Deployment and Job too); otherwise the kind whose name prefixes it wins.
    private static string? ChooseGroup(string name, Dictionary<string, string>? reaching)
    {
        if (reaching is null || reaching.Count == 0) return null;
        if (reaching.ContainsKey("")) return "";
        var byKindPrefix = reaching.Where(kv => name.StartsWith(kv.Value, StringComparison.Ordinal))
            .OrderByDescending(kv => kv.Value.Length).Select(kv => kv.Key).FirstOrDefault();
        return byKindPrefix ?? reaching.Keys.Order(StringComparer.Ordinal).First();
    }

    // For every model type: group -> longest kind name of that group's kinds that reach it.
    private static Dictionary<Type, Dictionary<string, string>> GroupsReachingEachType(List<Type> models)
    {
        var reaching = new Dictionary<Type, Dictionary<string, string>>();
        foreach (var root in models)
        {
            if (root.GetCustomAttribute<KubernetesEntityAttribute>() is not { } entity) continue;
            if (VersionedName().Match(root.Name) is { Success: true } m && MetaV1Types.Contains(m.Groups["n"].Value)) continue;
            var seen = new HashSet<Type> { root };
            var queue = new Queue<Type>([root]);
            while (queue.TryDequeue(out var t))
            {
                foreach (var (_, p) in JsonProperties(t))
                {
                    if (ReferencedModel(p.PropertyType) is not { } child || !seen.Add(child)) continue;
                    queue.Enqueue(child);
                    var groups = reaching.TryGetValue(child, out var g) ? g : reaching[child] = new();
                    if (!groups.TryGetValue(entity.Group, out var kind) || kind.Length < entity.Kind.Length)
                        groups[entity.Group] = entity.Kind;
                }
            }
        }
        return reaching;
    }

    private static string GoPackage(string group) => group switch
    {
        "" => "core",
        "internal.apiserver.k8s.io" => "apiserverinternal",
        _ => group.Split('.')[0],
    };

    private static string PackageRoot(string package) =>
        PackageRoots.TryGetValue(package, out var root) ? root : "io.k8s.api." + package;
}
