using System.Text.Json.Nodes;
using KubeRescue.Kubernetes.Selectors;
using KubeRescue.Kubernetes.Text;
using KubeRescue.Kubernetes.Validation;
using KubeRescue.Lab.ApiServer.Errors;
using KubeRescue.Lab.ApiServer.Http;
using KubeRescue.Lab.ApiServer.Selectors;
using KubeRescue.Lab.ApiServer.Validation;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Primitives;

namespace KubeRescue.Lab.ApiServer.Auth;

/// <summary>
/// What a request asks to do, as the authorizer sees it (apiserver's authorizer.Attributes, less the API version,
/// which RBAC never reads). A resource request has a verb (get, list, watch, create, update, patch, delete,
/// deletecollection), API group, resource, maybe a subresource, namespace and name; any other request is a path with
/// the lower-cased HTTP method as its verb.
/// </summary>
public sealed record RequestAttributes(
    UserInfo User,
    string Verb,
    bool IsResourceRequest,
    string Path,
    string ApiGroup = "",
    string Namespace = "",
    string Resource = "",
    string Subresource = "",
    string Name = "")
{
    // Words after /namespaces/{name}/ that address the namespace itself rather than a resource in it.
    static readonly HashSet<string> NamespaceSubresources = ["status", "finalize"];

    /// <summary>
    /// A request taken apart as apiserver's RequestInfoFactory does: /api/{version}/... and /apis/{group}/{version}/...
    /// are resource requests (the deprecated /watch/ prefix makes the verb watch); a collection GET is list, or watch
    /// when the first <c>watch</c> parameter is anything but false or 0, and a <c>metadata.name=X</c> field selector
    /// names its object; a collection DELETE is deletecollection. Any other path is a non-resource request.
    /// </summary>
    /// <param name="queryString">the URL's query, "?watch=true&amp;..." or empty</param>
    public static RequestAttributes From(UserInfo user, string method, string path, string queryString)
    {
        var nonResource = new RequestAttributes(user, method.ToLowerInvariant(), false, path);
        var parts = path.Trim('/').Split('/');
        if (parts.Length < 3) return nonResource;
        int i;
        string group;
        switch (parts[0])
        {
            case "api": (group, i) = ("", 1); break;
            case "apis" when parts.Length >= 4: (group, i) = (parts[1], 2); break;
            default: return nonResource;
        }
        i++; // the version
        string verb;
        if (parts[i] == "watch")
        {
            // Upstream refuses a bare /watch with an error and serves nothing: no request to authorize here either.
            if (i + 1 >= parts.Length) return nonResource with { Verb = "" };
            verb = "watch";
            i++;
        }
        else
        {
            verb = method switch
            {
                "POST" => "create",
                "GET" or "HEAD" => "get",
                "PUT" => "update",
                "PATCH" => "patch",
                "DELETE" => "delete",
                _ => "",
            };
        }
        var rest = parts[i..];
        var ns = "";
        if (rest[0] == "namespaces" && rest.Length > 1)
        {
            ns = rest[1];
            if (rest.Length > 2 && !NamespaceSubresources.Contains(rest[2])) rest = rest[2..];
        }
        var attributes = new RequestAttributes(user, verb, true, path, group, ns,
            Resource: rest[0], Name: rest.Length >= 2 ? rest[1] : "", Subresource: rest.Length >= 3 ? rest[2] : "");

        if (attributes.Name.Length == 0 && verb == "get")
        {
            var query = QueryHelpers.ParseQuery(queryString);
            attributes = attributes with
            {
                Verb = WatchRequested(query.GetValueOrDefault("watch")) ? "watch" : "list",
                Name = SelectedName(query.GetValueOrDefault("fieldSelector")),
            };
        }
        if (attributes.Name.Length == 0 && attributes.Verb == "delete") attributes = attributes with { Verb = "deletecollection" };
        return attributes;
    }

    /// <summary>
    /// Whether the <c>watch</c> parameter asks for a watch, as apimachinery reads a bool parameter: its first value,
    /// anything but "false" (any case) or "0".
    /// </summary>
    public static bool WatchRequested(StringValues values) =>
        values.Count > 0 && values[0] is var first && first != "0" && !string.Equals(first, "false", StringComparison.OrdinalIgnoreCase);

    /// <summary>The name a list or watch selects with metadata.name=X (or ==), if it is a valid path segment.</summary>
    static string SelectedName(StringValues fieldSelector)
    {
        if (fieldSelector.Count == 0) return "";
        try
        {
            var requirement = FieldSelector.Parse(fieldSelector[0]).Requirements.FirstOrDefault(r => r.Field == "metadata.name" && !r.NotEquals);
            return requirement is not null && Content.IsPathSegmentName(requirement.Value, prefix: false).Count == 0 ? requirement.Value : "";
        }
        catch (SelectorException)
        {
            // A selector the list will refuse names nothing (upstream falls back to no list options).
            return "";
        }
    }

    /// <summary>
    /// The 403 a denied request gets, worded as apiserver's responsewriters.Forbidden words it (with <paramref name="reason"/>
    /// after a colon when the authorizer gave one), HTML-like characters escaped as upstream escapes them.
    /// </summary>
    public ApiException Forbidden(string reason)
    {
        var message = Sanitize(ForbiddenMessage()) + (reason.Length > 0 ? ": " + reason : "");
        // apierrors.NewForbidden: details carry name, group and kind (the resource), each only when set.
        var details = new JsonObject();
        if (Name.Length > 0) details["name"] = Name;
        if (ApiGroup.Length > 0) details["group"] = ApiGroup;
        if (Resource.Length > 0) details["kind"] = Resource;
        var subject = !IsResourceRequest ? "forbidden"
            : Name.Length > 0 ? $"{new GroupResource(ApiGroup, Resource)} {GoFormat.Quote(Name)} is forbidden"
            : $"{new GroupResource(ApiGroup, Resource)} is forbidden";
        return new ApiException(403, "Forbidden", $"{subject}: {message}", details);
    }

    string ForbiddenMessage()
    {
        var user = GoFormat.Quote(User.Name);
        if (!IsResourceRequest) return $"User {user} cannot {Verb} path {GoFormat.Quote(Path)}";
        var resource = Subresource.Length > 0 ? $"{Resource}/{Subresource}" : Resource;
        var scope = Namespace.Length > 0 ? $"in the namespace {GoFormat.Quote(Namespace)}" : "at the cluster scope";
        return $"User {user} cannot {Verb} resource {GoFormat.Quote(resource)} in API group {GoFormat.Quote(ApiGroup)} {scope}";
    }

    static string Sanitize(string s) =>
        s.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);
}
