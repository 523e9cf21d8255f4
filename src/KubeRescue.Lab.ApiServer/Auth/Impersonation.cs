using KubeRescue.Kubernetes.Validation;
using KubeRescue.Lab.ApiServer.Errors;
using KubeRescue.Lab.ApiServer.Http;
using KubeRescue.Lab.ApiServer.Validation;
using Microsoft.AspNetCore.Http;

namespace KubeRescue.Lab.ApiServer.Auth;

/// <summary>
/// User impersonation (<c>kubectl --as NAME --as-group GROUP</c>), as apiserver's WithImpersonation filter does it:
/// the Impersonate-User, Impersonate-Group, Impersonate-Uid and Impersonate-Extra-* headers each need the requestor
/// to be allowed to <c>impersonate</c> them (users, groups or serviceaccounts in the core group; uids and userextras in
/// authentication.k8s.io), and the request then acts as the user they describe. Extras are authorized and then
/// dropped: nothing in the lab reads them.
/// </summary>
public static class Impersonation
{
    const string UserHeader = "Impersonate-User";
    const string GroupHeader = "Impersonate-Group";
    const string UidHeader = "Impersonate-Uid";
    const string ExtraHeaderPrefix = "Impersonate-Extra-";
    const string Authentication = "authentication.k8s.io";

    /// <summary>The user a request acts as: <paramref name="requestor"/>, or the one its headers ask for.</summary>
    /// <exception cref="ApiException">403 when the requestor may not impersonate what it asks; 400 for groups, a uid or extras without a user.</exception>
    public static async Task<UserInfo> ActAsAsync(UserInfo requestor, IHeaderDictionary headers, Authorizer authorizer, CancellationToken ct)
    {
        var requestedUser = headers[UserHeader].ToString();
        var requestedGroups = headers[GroupHeader].Where(g => g is not null).Select(g => g!).ToList();
        var requestedUid = headers[UidHeader].ToString();
        var extras = headers.Where(h => h.Key.StartsWith(ExtraHeaderPrefix, StringComparison.OrdinalIgnoreCase))
            .SelectMany(h => h.Value.Select(v => (Key: Uri.UnescapeDataString(h.Key[ExtraHeaderPrefix.Length..].ToLowerInvariant()), Value: v ?? "")))
            .ToList();
        if (requestedUser.Length == 0)
        {
            if (requestedGroups.Count > 0 || requestedUid.Length > 0 || extras.Count > 0)
                throw ApiException.BadRequest("requested impersonation of groups, a uid or extras without impersonating a user");
            return requestor;
        }

        // What to ask for, in upstream's order: the user (or service account), each group, each extra, the uid.
        var checks = new List<RequestAttributes>();
        RequestAttributes Impersonate(string resource, string name, string ns = "", string group = "", string subresource = "") =>
            new(requestor, "impersonate", true, "", group, ns, resource, subresource, name);
        var groups = new List<string>();
        if (ServiceAccount(requestedUser) is var (saNamespace, saName))
        {
            checks.Add(Impersonate("serviceaccounts", saName, saNamespace));
            if (requestedGroups.Count == 0) groups.AddRange(["system:serviceaccounts", $"system:serviceaccounts:{saNamespace}"]);
        }
        else checks.Add(Impersonate("users", requestedUser));
        foreach (var group in requestedGroups)
        {
            checks.Add(Impersonate("groups", group));
            groups.Add(group);
        }
        checks.AddRange(extras.Select(e => Impersonate("userextras", e.Value, group: Authentication, subresource: e.Key)));
        if (requestedUid.Length > 0) checks.Add(Impersonate("uids", requestedUid, group: Authentication));

        foreach (var check in checks)
        {
            var decision = await authorizer.AuthorizeAsync(check, ct);
            if (!decision.Allowed) throw check.Forbidden(decision.Reason);
        }
        return requestedUser == UserInfo.AnonymousName
            ? new UserInfo(requestedUser, requestedUid, groups.Contains(UserInfo.AllUnauthenticated) ? groups : [.. groups, UserInfo.AllUnauthenticated])
            : UserInfo.Authenticated(requestedUser, requestedUid, groups);
    }

    /// <summary>Namespace and name of a system:serviceaccount:NAMESPACE:NAME user name, when both are valid names.</summary>
    static (string Namespace, string Name)? ServiceAccount(string user)
    {
        if (!user.StartsWith(UserInfo.ServiceAccountPrefix, StringComparison.Ordinal)) return null;
        var parts = user[UserInfo.ServiceAccountPrefix.Length..].Split(':');
        return parts is [var ns, var name] && Content.IsDNS1123Label(ns).Count == 0 && Content.IsDNS1123Subdomain(name).Count == 0
            ? (ns, name)
            : null;
    }
}
