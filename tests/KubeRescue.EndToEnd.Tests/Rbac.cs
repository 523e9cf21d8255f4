using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace KubeRescue.EndToEnd.Tests;

/// <summary>
/// docs/rbac.yaml against the API calls the tool really made (its <c>--verbose</c> log): each call is turned into the
/// request attributes an RBAC authorizer sees (verb, group, resource, namespace, name, or a non-resource path) and
/// must be allowed by a rule of a role bound where the call lands.
/// </summary>
public static class Rbac
{
    sealed record Rule(string[] Groups, string[] Resources, string[] Names, string[] Verbs, string[] Paths, string? OnlyIn);

    sealed record Request(string Verb, string? Group, string? Resource, string? Namespace, string? Name, string? Path);

    static readonly Lazy<IReadOnlyList<Rule>> Rules = new(Load);

    static IReadOnlyList<Rule> Load()
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(File.ReadAllText(Path.Combine(Schemas.Directory, "..", "rbac.yaml"))));
        var docs = stream.Documents.Select(d => (YamlMappingNode)d.RootNode).ToList();
        static string Scalar(YamlNode n, string key) => ((YamlScalarNode)((YamlMappingNode)n).Children[key]).Value!;
        static string[] List(YamlMappingNode n, string key) =>
            n.Children.TryGetValue(key, out var v) ? [.. ((YamlSequenceNode)v).Children.Select(c => ((YamlScalarNode)c).Value!)] : [];
        var rules = new List<Rule>();
        foreach (var binding in docs.Where(d => Scalar(d, "kind") is "ClusterRoleBinding" or "RoleBinding"))
        {
            var role = docs.Single(d => Scalar(d, "kind") == "ClusterRole" && Scalar(d["metadata"], "name") == Scalar(binding["roleRef"], "name"));
            string? onlyIn = Scalar(binding, "kind") == "RoleBinding" ? Scalar(binding["metadata"], "namespace") : null;
            foreach (YamlMappingNode r in ((YamlSequenceNode)role["rules"]).Children)
                rules.Add(new Rule(List(r, "apiGroups"), List(r, "resources"), List(r, "resourceNames"), List(r, "verbs"), List(r, "nonResourceURLs"), onlyIn));
        }
        // What every authenticated user may do on any cluster (the system:basic-user ClusterRole, bound to
        // system:authenticated): the recovery asks the server whether it may make its changes before it makes any.
        rules.Add(new Rule(["authorization.k8s.io"], ["selfsubjectaccessreviews"], [], ["create"], [], null));
        return rules;
    }

    static readonly Regex Call = new(@"^api: (?<method>[A-Z]+) https://[^/]+(?<path>/[^?\s]*)(?:\?(?<query>\S*))? ");

    /// <summary>The request as an authorizer sees it, from one line of the <c>--verbose</c> log.</summary>
    static Request Parse(string line)
    {
        var m = Call.Match(line);
        Assert.True(m.Success, $"not an API call line: {line}");
        var path = m.Groups["path"].Value;
        var query = m.Groups["query"].Value.Split('&').Select(Uri.UnescapeDataString).ToList();
        var parts = path.Trim('/').Split('/');
        string? group;
        int rest;
        if (parts[0] == "api" && parts.Length > 2) (group, rest) = ("", 2);
        else if (parts[0] == "apis" && parts.Length > 3) (group, rest) = (parts[1], 3);
        else return new Request(m.Groups["method"].Value.ToLowerInvariant(), null, null, null, null, path);
        string? ns = null;
        if (parts[rest] == "namespaces" && parts.Length > rest + 2) { ns = parts[rest + 1]; rest += 2; }
        var resource = parts[rest];
        var name = parts.Length > rest + 1 ? parts[rest + 1] : null;
        // A list or watch names its object only through a metadata.name field selector.
        name ??= query.Where(q => q.StartsWith("fieldSelector=", StringComparison.Ordinal)).SelectMany(q => q["fieldSelector=".Length..].Split(','))
            .Where(s => s.StartsWith("metadata.name=", StringComparison.Ordinal)).Select(s => s["metadata.name=".Length..]).FirstOrDefault();
        var named = parts.Length > rest + 1;
        var verb = m.Groups["method"].Value switch
        {
            "GET" when named => "get",
            "GET" when query.Contains("watch=true") || query.Contains("watch=1") => "watch",
            "GET" => "list",
            "POST" => "create",
            "PUT" => "update",
            "PATCH" => "patch",
            "DELETE" when named => "delete",
            "DELETE" => "deletecollection",
            var other => other.ToLowerInvariant(),
        };
        return new Request(verb, group, resource, ns, name, null);
    }

    static bool Allows(Rule rule, Request r)
    {
        if (r.Path is not null) return rule.Paths.Contains(r.Path) && rule.Verbs.Contains(r.Verb);
        return rule.Paths.Length == 0
               && (rule.OnlyIn is null || rule.OnlyIn == r.Namespace)
               && rule.Groups.Contains(r.Group!) && rule.Resources.Contains(r.Resource!) && rule.Verbs.Contains(r.Verb)
               && (rule.Names.Length == 0 || (r.Verb != "create" && r.Name is not null && rule.Names.Contains(r.Name)));
    }

    /// <summary>Every API call in <paramref name="verboseLog"/> is allowed by docs/rbac.yaml; returns how many there were.</summary>
    public static int AssertAllowed(string verboseLog)
    {
        var calls = verboseLog.Split('\n').Where(l => l.StartsWith("api: ", StringComparison.Ordinal)).ToList();
        var denied = calls.Select(c => (Line: c, Request: Parse(c))).Where(c => !Rules.Value.Any(rule => Allows(rule, c.Request))).ToList();
        Assert.True(denied.Count == 0, "docs/rbac.yaml does not allow:\n" + string.Join("\n", denied.Select(d => $"{d.Request} <- {d.Line}")));
        return calls.Count;
    }
}
