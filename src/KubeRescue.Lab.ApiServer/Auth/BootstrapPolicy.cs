using System.Text.Json.Nodes;
using KubeRescue.Lab.ApiServer.Registry;
using KubeRescue.Lab.ApiServer.Validation;

namespace KubeRescue.Lab.ApiServer.Auth;

/// <summary>
/// The default roles a real cluster bootstraps (plugin/pkg/auth/authorizer/rbac/bootstrappolicy) that clients rely on:
/// cluster-admin for system:masters; system:discovery and system:basic-user for every authenticated user (discovery,
/// OpenAPI, version and health; access and rules reviews); system:public-info-viewer for everyone, anonymous too
/// (health and version). Lists are sorted, as upstream's rule builder sorts them. Created at start when absent, so
/// a changed or deleted default stays as the cluster's owner left it within a run.
/// </summary>
public static class BootstrapPolicy
{
    static readonly (string Name, JsonArray Rules, string[] Groups)[] Roles =
    [
        ("cluster-admin",
            [ResourceRule(["*"], ["*"], ["*"]), new JsonObject { ["nonResourceURLs"] = Strings("*"), ["verbs"] = Strings("*") }],
            [UserInfo.Masters]),
        ("system:discovery",
            [PathRule("/api", "/api/*", "/apis", "/apis/*", "/healthz", "/livez", "/openapi", "/openapi/*", "/readyz", "/version", "/version/")],
            [UserInfo.AllAuthenticated]),
        ("system:basic-user",
            [
                ResourceRule(["create"], ["authorization.k8s.io"], ["selfsubjectaccessreviews", "selfsubjectrulesreviews"]),
                ResourceRule(["create"], ["authentication.k8s.io"], ["selfsubjectreviews"]),
            ],
            [UserInfo.AllAuthenticated]),
        ("system:public-info-viewer",
            [PathRule("/healthz", "/livez", "/readyz", "/version", "/version/")],
            [UserInfo.AllAuthenticated, UserInfo.AllUnauthenticated]),
    ];

    /// <summary>Each default ClusterRole and its ClusterRoleBinding of the same name, unless already there.</summary>
    public static async Task CreateAsync(ResourceStorage storage, CancellationToken ct)
    {
        var roles = storage.Registry.Get(Validators.RbacGroup, "v1", "clusterroles");
        var bindings = storage.Registry.Get(Validators.RbacGroup, "v1", "clusterrolebindings");
        foreach (var (name, rules, groups) in Roles)
        {
            if (await storage.TryGetAsync(roles, null, name, ct) is null)
                await storage.CreateAsync(roles, Object("ClusterRole", name, "rules", rules.DeepClone()), dryRun: false, ct: ct);
            if (await storage.TryGetAsync(bindings, null, name, ct) is not null) continue;
            var binding = Object("ClusterRoleBinding", name, "roleRef",
                new JsonObject { ["apiGroup"] = Validators.RbacGroup, ["kind"] = "ClusterRole", ["name"] = name });
            binding["subjects"] = new JsonArray(groups.Select(g => (JsonNode)new JsonObject
            {
                ["apiGroup"] = Validators.RbacGroup, ["kind"] = "Group", ["name"] = g,
            }).ToArray());
            await storage.CreateAsync(bindings, binding, dryRun: false, ct: ct);
        }
    }

    static JsonObject Object(string kind, string name, string field, JsonNode value) => new()
    {
        ["apiVersion"] = $"{Validators.RbacGroup}/v1",
        ["kind"] = kind,
        ["metadata"] = new JsonObject
        {
            ["name"] = name,
            ["labels"] = new JsonObject { ["kubernetes.io/bootstrapping"] = "rbac-defaults" },
            ["annotations"] = new JsonObject { ["rbac.authorization.kubernetes.io/autoupdate"] = "true" },
        },
        [field] = value,
    };

    static JsonObject ResourceRule(string[] verbs, string[] groups, string[] resources) => new()
    {
        ["apiGroups"] = Strings(groups), ["resources"] = Strings(resources), ["verbs"] = Strings(verbs),
    };

    static JsonObject PathRule(params string[] urls) => new() { ["nonResourceURLs"] = Strings(urls), ["verbs"] = Strings("get") };

    static JsonArray Strings(params string[] values) => new(values.Select(v => (JsonNode)JsonValue.Create(v)).ToArray());
}
