using System.Text;
using KubeRescue.Kubernetes.Text;
using KubeRescue.Lab.ApiServer.Registry;
using KubeRescue.Lab.ApiServer.Validation;
using k8s.Models;
using k8s;

namespace KubeRescue.Lab.ApiServer.Auth;

/// <summary>An authorizer's answer, and why (the reason upstream's RBAC authorizer gives).</summary>
public sealed record Decision(bool Allowed, string Reason);

/// <summary>
/// Authorization as kube-apiserver with <c>--authorization-mode=RBAC</c> decides: system:masters may do anything, then
/// the RBAC authorizer allows a request when a rule of a role bound to the user (a User subject), one of their groups
/// (Group) or their service account (ServiceAccount, for a user named system:serviceaccount:NS:NAME) matches it. A
/// ClusterRoleBinding grants everywhere; a RoleBinding (of a Role, or of a ClusterRole) only in its own namespace, and
/// never a non-resource path. Roles and bindings are read from the store on each decision, so a change (kubectl apply,
/// delete) counts from the next request on. Nothing is denied outright: no matching rule is "no opinion", a 403.
/// </summary>
public sealed class Authorizer(ResourceStorage storage)
{
    const string Group = "rbac.authorization.k8s.io";

    public async Task<Decision> AuthorizeAsync(RequestAttributes request, CancellationToken ct = default)
    {
        // kube-apiserver's privileged-group authorizer runs before RBAC and reads no role.
        if (request.User.InGroup(UserInfo.Masters)) return new Decision(true, "");

        // Roles that cannot be read (a binding naming a missing role) are reported, as upstream's reason does.
        var errors = new List<string>();
        foreach (var binding in await ListAsync<V1ClusterRoleBinding>("clusterrolebindings", null, ct))
        {
            if (FirstSubjectFor(request.User, binding.Subjects, "") is not { } subject) continue;
            var rules = await RulesAsync(binding.RoleRef, "", errors, ct);
            if (rules.Any(rule => RuleAllows(request, rule)))
                return Allowed($"ClusterRoleBinding {GoFormat.Quote(binding.Name())} of {binding.RoleRef.Kind} {GoFormat.Quote(binding.RoleRef.Name)} to {Describe(subject, "")}");
        }
        if (request.Namespace.Length > 0)
        {
            foreach (var binding in await ListAsync<V1RoleBinding>("rolebindings", request.Namespace, ct))
            {
                if (FirstSubjectFor(request.User, binding.Subjects, request.Namespace) is not { } subject) continue;
                var rules = await RulesAsync(binding.RoleRef, request.Namespace, errors, ct);
                if (rules.Any(rule => RuleAllows(request, rule)))
                    return Allowed($"RoleBinding {GoFormat.Quote(binding.Name() + "/" + request.Namespace)} of {binding.RoleRef.Kind} {GoFormat.Quote(binding.RoleRef.Name)} to {Describe(subject, request.Namespace)}");
            }
        }
        return new Decision(false, errors.Count == 0 ? "" : "RBAC: " + Aggregate(errors));
    }

    static Decision Allowed(string source) => new(true, "RBAC: allowed by " + source);

    /// <summary>The rules a binding's roleRef grants: a Role in the binding's namespace, or a ClusterRole.</summary>
    async Task<IList<V1PolicyRule>> RulesAsync(V1RoleRef roleRef, string bindingNamespace, List<string> errors, CancellationToken ct)
    {
        switch (roleRef.Kind)
        {
            case "Role":
                if (await GetAsync<V1Role>("roles", bindingNamespace, roleRef.Name, ct) is { } role) return role.Rules ?? [];
                errors.Add($"role.{Group} {GoFormat.Quote(roleRef.Name)} not found");
                return [];
            case "ClusterRole":
                if (await GetAsync<V1ClusterRole>("clusterroles", null, roleRef.Name, ct) is { } clusterRole) return clusterRole.Rules ?? [];
                errors.Add($"clusterrole.{Group} {GoFormat.Quote(roleRef.Name)} not found");
                return [];
            default:
                errors.Add($"unsupported role reference kind: {GoFormat.Quote(roleRef.Kind)}");
                return [];
        }
    }

    async Task<List<T>> ListAsync<T>(string plural, string? ns, CancellationToken ct)
    {
        var rt = storage.Registry.Get(Group, "v1", plural);
        var page = await storage.ListEntriesAsync(rt, ns, null, 0, ct);
        return page.Items.Select(kv => Decode<T>(kv.Value)).ToList();
    }

    async Task<T?> GetAsync<T>(string plural, string? ns, string name, CancellationToken ct) where T : class
    {
        var kv = await storage.GetEntryAsync(storage.Registry.Get(Group, "v1", plural), ns, name, ct);
        return kv is null ? null : Decode<T>(kv.Value);
    }

    static T Decode<T>(byte[] stored) => KubernetesJson.Deserialize<T>(Encoding.UTF8.GetString(stored));

    /// <summary>The first subject of a binding that names this user, one of its groups or its service account.</summary>
    static Rbacv1Subject? FirstSubjectFor(UserInfo user, IList<Rbacv1Subject>? subjects, string bindingNamespace) =>
        subjects?.FirstOrDefault(s => s.Kind switch
        {
            "User" => s.Name == user.Name,
            "Group" => user.InGroup(s.Name),
            // A RoleBinding's service account without a namespace is one of the binding's namespace.
            "ServiceAccount" => (string.IsNullOrEmpty(s.NamespaceProperty) ? bindingNamespace : s.NamespaceProperty) is { Length: > 0 } ns
                                && user.Name == $"{UserInfo.ServiceAccountPrefix}{ns}:{s.Name}",
            _ => false,
        });

    static string Describe(Rbacv1Subject subject, string bindingNamespace) => subject.Kind == "ServiceAccount"
        ? $"{subject.Kind} {GoFormat.Quote(subject.Name + "/" + (string.IsNullOrEmpty(subject.NamespaceProperty) ? bindingNamespace : subject.NamespaceProperty))}"
        : $"{subject.Kind} {GoFormat.Quote(subject.Name)}";

    /// <summary>apimachinery's error aggregate: one message alone, several (each once) bracketed.</summary>
    static string Aggregate(List<string> errors)
    {
        var distinct = errors.Distinct(StringComparer.Ordinal).ToList();
        return distinct.Count == 1 ? distinct[0] : "[" + string.Join(", ", distinct) + "]";
    }

    /// <summary>
    /// Whether one rule allows the request (upstream's RuleAllows): its verbs, API groups and resources match (each
    /// may be <c>*</c>; a resource may be <c>resource/subresource</c> or <c>*/subresource</c>) and, if it names
    /// resources, the request's name is one of them — so a named rule never allows a create or a list or watch without
    /// a metadata.name selector. A non-resource rule matches paths exactly or, ending in <c>*</c>, by prefix.
    /// </summary>
    public static bool RuleAllows(RequestAttributes request, V1PolicyRule rule)
    {
        if (!Matches(rule.Verbs, request.Verb)) return false;
        if (!request.IsResourceRequest)
            return rule.NonResourceURLs?.Any(url => url == "*" || url == request.Path || url.EndsWith('*') && request.Path.StartsWith(url.TrimEnd('*'), StringComparison.Ordinal)) == true;
        var resource = request.Subresource.Length > 0 ? $"{request.Resource}/{request.Subresource}" : request.Resource;
        return Matches(rule.ApiGroups, request.ApiGroup)
               && rule.Resources?.Any(r => r == "*" || r == resource || request.Subresource.Length > 0 && r == "*/" + request.Subresource) == true
               && (rule.ResourceNames is not { Count: > 0 } names || names.Contains(request.Name));
    }

    static bool Matches(IList<string>? allowed, string value) => allowed?.Any(a => a == "*" || a == value) == true;
}
