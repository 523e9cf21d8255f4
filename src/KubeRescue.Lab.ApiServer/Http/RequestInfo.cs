namespace KubeRescue.Lab.ApiServer.Http;

/// <summary>
/// A resource request URL taken apart, as apiserver's RequestInfoFactory does:
/// /api/v1[/namespaces/{ns}]/{resource}[/{name}[/{subresource}]] and /apis/{group}/{version}/... ;
/// the deprecated /watch/ prefix sets <see cref="LegacyWatch"/>.
/// </summary>
public sealed record RequestInfo(string Group, string Version, string? Namespace, string Resource, string? Name, string? Subresource, bool LegacyWatch)
{
    /// <summary>Null when the path is not a resource path (discovery and the like are routed elsewhere).</summary>
    public static RequestInfo? Parse(string path, Func<string, string, string, bool> isNamespacedResource)
    {
        var parts = path.Trim('/').Split('/');
        int i;
        string group, version;
        if (parts.Length >= 3 && parts[0] == "api")
        {
            (group, version, i) = ("", parts[1], 2);
        }
        else if (parts.Length >= 4 && parts[0] == "apis")
        {
            (group, version, i) = (parts[1], parts[2], 3);
        }
        else return null;
        if (parts.Skip(i).Any(p => p.Length == 0)) return null;

        var watch = false;
        if (parts[i] == "watch")
        {
            watch = true;
            i++;
            if (i >= parts.Length) return null;
        }

        var rest = parts.AsSpan(i);
        // /namespaces/{ns}/{resource}... addresses a namespaced resource; /namespaces/{ns}[/status|/finalize] the namespace itself.
        if (rest.Length >= 3 && rest[0] == "namespaces" && isNamespacedResource(group, version, rest[2]))
        {
            var ns = rest[1];
            rest = rest[2..];
            return rest.Length switch
            {
                1 => new RequestInfo(group, version, ns, rest[0], null, null, watch),
                2 => new RequestInfo(group, version, ns, rest[0], rest[1], null, watch),
                3 => new RequestInfo(group, version, ns, rest[0], rest[1], rest[2], watch),
                _ => null,
            };
        }
        return rest.Length switch
        {
            1 => new RequestInfo(group, version, null, rest[0], null, null, watch),
            2 => new RequestInfo(group, version, null, rest[0], rest[1], null, watch),
            3 => new RequestInfo(group, version, null, rest[0], rest[1], rest[2], watch),
            _ => null,
        };
    }
}
