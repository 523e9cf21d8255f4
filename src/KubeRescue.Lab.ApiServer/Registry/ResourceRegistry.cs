using System.Text.Json.Nodes;

namespace KubeRescue.Lab.ApiServer.Registry;

/// <summary>The served resources, and the discovery documents derived from them.</summary>
public sealed class ResourceRegistry
{
    readonly Dictionary<(string Group, string Version, string Plural), ResourceType> _byPath = new();
    readonly List<ResourceType> _all = [];

    public ResourceRegistry(IEnumerable<ResourceType> resources)
    {
        foreach (var rt in resources)
        {
            if (!_byPath.TryAdd((rt.Group, rt.Version, rt.Plural), rt))
                throw new ArgumentException($"{rt.Plural}.{rt.Group}/{rt.Version} is registered twice");
            _all.Add(rt);
        }
    }

    public IReadOnlyList<ResourceType> All => _all;

    public ResourceType? Find(string group, string version, string plural) => _byPath.GetValueOrDefault((group, version, plural));

    public ResourceType Get(string group, string version, string plural) =>
        Find(group, version, plural) ?? throw new KeyNotFoundException($"{plural}.{group}/{version} is not registered");

    /// <summary>Group versions in registration order; the core group ("") first when present.</summary>
    public IEnumerable<(string Group, string Version)> GroupVersions => _all.Select(r => (r.Group, r.Version)).Distinct();

    public bool Serves(string group, string version) => _all.Any(r => r.Group == group && r.Version == version);

    /// <summary>GET /api</summary>
    public JsonObject CoreVersions(string serverAddress) => new()
    {
        ["kind"] = "APIVersions",
        ["versions"] = new JsonArray("v1"),
        ["serverAddressByClientCIDRs"] = new JsonArray(new JsonObject { ["clientCIDR"] = "0.0.0.0/0", ["serverAddress"] = serverAddress }),
    };

    /// <summary>GET /apis: every named group, one preferred version each.</summary>
    public JsonObject GroupList()
    {
        var groups = new JsonArray();
        foreach (var group in GroupVersions.Where(gv => gv.Group.Length > 0).GroupBy(gv => gv.Group))
            groups.Add(Group(group.Key, group.Select(g => g.Version).ToList()));
        return new JsonObject { ["kind"] = "APIGroupList", ["apiVersion"] = "v1", ["groups"] = groups };
    }

    /// <summary>GET /apis/&lt;group&gt;, or null when the group is not served.</summary>
    public JsonObject? GroupDocument(string group)
    {
        var versions = GroupVersions.Where(gv => gv.Group == group).Select(gv => gv.Version).ToList();
        if (versions.Count == 0) return null;
        var doc = Group(group, versions);
        doc["kind"] = "APIGroup";
        doc["apiVersion"] = "v1";
        return doc;
    }

    static JsonObject Group(string name, IReadOnlyList<string> versions)
    {
        JsonObject Gv(string v) => new() { ["groupVersion"] = $"{name}/{v}", ["version"] = v };
        return new JsonObject
        {
            ["name"] = name,
            ["versions"] = new JsonArray(versions.Select(v => (JsonNode)Gv(v)).ToArray()),
            ["preferredVersion"] = Gv(versions[0]),
        };
    }

    /// <summary>GET /api/v1 or /apis/&lt;group&gt;/&lt;version&gt;: an APIResourceList with each resource and subresource.</summary>
    public JsonObject ResourceList(string group, string version)
    {
        var list = new JsonArray();
        foreach (var rt in _all.Where(r => r.Group == group && r.Version == version))
        {
            var entry = new JsonObject
            {
                ["name"] = rt.Plural,
                ["singularName"] = rt.Singular,
                ["namespaced"] = rt.Namespaced,
                ["kind"] = rt.Kind,
                ["verbs"] = Strings(rt.Verbs),
            };
            if (rt.ShortNames.Count > 0) entry["shortNames"] = Strings(rt.ShortNames);
            if (rt.Categories.Count > 0) entry["categories"] = Strings(rt.Categories);
            entry["storageVersionHash"] = StorageVersionHash(rt);
            list.Add(entry);
            foreach (var (name, sub) in rt.Subresources)
            {
                var s = new JsonObject
                {
                    ["name"] = $"{rt.Plural}/{name}",
                    ["singularName"] = "",
                    ["namespaced"] = rt.Namespaced,
                };
                if (sub.Group is not null) s["group"] = sub.Group;
                if (sub.Version is not null) s["version"] = sub.Version;
                s["kind"] = sub.Kind ?? rt.Kind;
                s["verbs"] = Strings(sub.Verbs);
                list.Add(s);
            }
        }
        return new JsonObject
        {
            ["kind"] = "APIResourceList",
            ["apiVersion"] = "v1",
            ["groupVersion"] = group.Length == 0 ? version : $"{group}/{version}",
            ["resources"] = list,
        };
    }

    static JsonArray Strings(IEnumerable<string> values) => new(values.Select(v => (JsonNode)JsonValue.Create(v)).ToArray());

    /// <summary>Upstream hashes group/version/kind of the storage version; clients only compare it for change.</summary>
    static string StorageVersionHash(ResourceType rt)
    {
        var bytes = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"{rt.Group}/{rt.Version}/{rt.Kind}"));
        return Convert.ToBase64String(bytes, 0, 8);
    }
}
