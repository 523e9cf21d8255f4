using System.Text.Json.Nodes;
using KubeRescue.Lab.ApiServer.Auth;
using KubeRescue.Lab.ApiServer.Registry;
using KubeRescue.Lab.ApiServer.Storage;

namespace KubeRescue.Lab.Tests.ApiServer.Auth;

/// <summary>
/// RBAC decisions on roles and bindings kept in a real store: which rule allows which request, and which never do.
/// Requests are written as the URLs a client sends.
/// </summary>
public sealed class AuthorizerTests : IAsyncDisposable
{
    static readonly UserInfo Alice = UserInfo.Authenticated("alice", "u1", ["devs"]);
    static readonly UserInfo Bob = UserInfo.Authenticated("bob", "u2", []);

    readonly InMemoryStore _store = new(1_000);
    readonly ResourceStorage _storage;
    readonly Authorizer _authorizer;

    public AuthorizerTests()
    {
        _storage = new ResourceStorage(_store, new ResourceRegistry(BuiltInResources.All), TimeProvider.System);
        _authorizer = new Authorizer(_storage);
    }

    public ValueTask DisposeAsync() => _store.DisposeAsync();

    Task<Decision> Can(UserInfo user, string method, string path, string query = "") =>
        _authorizer.AuthorizeAsync(RequestAttributes.From(user, method, path, query));

    async Task<bool> Allowed(UserInfo user, string method, string path, string query = "") => (await Can(user, method, path, query)).Allowed;

    // ---- objects ------------------------------------------------------------------------------------------------

    static JsonArray Strings(string[]? values) => new((values ?? []).Select(v => (JsonNode)JsonValue.Create(v)).ToArray());

    static JsonObject Rule(string[] verbs, string[]? groups = null, string[]? resources = null, string[]? names = null, string[]? urls = null)
    {
        var rule = new JsonObject { ["verbs"] = Strings(verbs) };
        if (groups is not null) rule["apiGroups"] = Strings(groups);
        if (resources is not null) rule["resources"] = Strings(resources);
        if (names is not null) rule["resourceNames"] = Strings(names);
        if (urls is not null) rule["nonResourceURLs"] = Strings(urls);
        return rule;
    }

    static JsonObject User(string name) => new() { ["kind"] = "User", ["apiGroup"] = "rbac.authorization.k8s.io", ["name"] = name };
    static JsonObject Group(string name) => new() { ["kind"] = "Group", ["apiGroup"] = "rbac.authorization.k8s.io", ["name"] = name };

    static JsonObject ServiceAccount(string name, string? ns = null)
    {
        var subject = new JsonObject { ["kind"] = "ServiceAccount", ["name"] = name };
        if (ns is not null) subject["namespace"] = ns;
        return subject;
    }

    async Task Store(string plural, string kind, string? ns, string name, params (string Field, JsonNode Value)[] fields)
    {
        var meta = new JsonObject { ["name"] = name };
        if (ns is not null) meta["namespace"] = ns;
        var obj = new JsonObject { ["apiVersion"] = "rbac.authorization.k8s.io/v1", ["kind"] = kind, ["metadata"] = meta };
        foreach (var (field, value) in fields) obj[field] = value;
        await _storage.CreateAsync(_storage.Registry.Get("rbac.authorization.k8s.io", "v1", plural), obj, dryRun: false);
    }

    Task ClusterRole(string name, params JsonObject[] rules) => Store("clusterroles", "ClusterRole", null, name, ("rules", new JsonArray(rules)));

    Task Role(string ns, string name, params JsonObject[] rules) => Store("roles", "Role", ns, name, ("rules", new JsonArray(rules)));

    Task Bind(string plural, string kind, string? ns, string name, string roleKind, string role, JsonObject[] subjects) =>
        Store(plural, kind, ns, name,
            ("roleRef", new JsonObject { ["apiGroup"] = "rbac.authorization.k8s.io", ["kind"] = roleKind, ["name"] = role }),
            ("subjects", new JsonArray(subjects)));

    Task ClusterRoleBinding(string name, string role, params JsonObject[] subjects) =>
        Bind("clusterrolebindings", "ClusterRoleBinding", null, name, "ClusterRole", role, subjects);

    Task RoleBinding(string ns, string name, string roleKind, string role, params JsonObject[] subjects) =>
        Bind("rolebindings", "RoleBinding", ns, name, roleKind, role, subjects);

    // ---- who ----------------------------------------------------------------------------------------------------

    [Fact]
    public async Task Without_a_binding_nothing_is_allowed_and_there_is_no_reason_to_give()
    {
        await ClusterRole("pod-reader", Rule(["get", "list"], [""], ["pods"]));

        Assert.Equal(new Decision(false, ""), await Can(Alice, "GET", "/api/v1/namespaces/default/pods"));
    }

    [Fact]
    public async Task System_masters_may_do_anything_without_any_role()
    {
        var admin = UserInfo.Authenticated("root", "", ["system:masters"]);

        Assert.Equal(new Decision(true, ""), await Can(admin, "DELETE", "/api/v1/namespaces/kube-system/pods"));
        Assert.True(await Allowed(admin, "GET", "/anything/at/all"));
        Assert.False(await Allowed(Alice, "GET", "/anything/at/all"));
    }

    [Fact]
    public async Task A_ClusterRoleBinding_grants_everywhere_to_its_user_and_says_so()
    {
        await ClusterRole("pod-reader", Rule(["get", "list"], [""], ["pods"]));
        await ClusterRoleBinding("alice-reads-pods", "pod-reader", User("alice"));

        Assert.Equal(new Decision(true, "RBAC: allowed by ClusterRoleBinding \"alice-reads-pods\" of ClusterRole \"pod-reader\" to User \"alice\""),
            await Can(Alice, "GET", "/api/v1/namespaces/default/pods"));
        Assert.True(await Allowed(Alice, "GET", "/api/v1/namespaces/kube-system/pods/web"));
        Assert.True(await Allowed(Alice, "GET", "/api/v1/pods"));
        Assert.False(await Allowed(Alice, "DELETE", "/api/v1/namespaces/default/pods/web"));
        Assert.False(await Allowed(Bob, "GET", "/api/v1/pods"));
    }

    [Fact]
    public async Task A_RoleBinding_grants_its_Role_in_its_own_namespace_only()
    {
        await Role("team-a", "pod-reader", Rule(["get", "list"], [""], ["pods"]));
        await RoleBinding("team-a", "alice-reads-pods", "Role", "pod-reader", User("alice"));

        Assert.Equal(new Decision(true, "RBAC: allowed by RoleBinding \"alice-reads-pods/team-a\" of Role \"pod-reader\" to User \"alice\""),
            await Can(Alice, "GET", "/api/v1/namespaces/team-a/pods"));
        Assert.False(await Allowed(Alice, "GET", "/api/v1/namespaces/team-b/pods"));
        Assert.False(await Allowed(Alice, "GET", "/api/v1/pods"));
    }

    [Fact]
    public async Task A_RoleBinding_of_a_ClusterRole_grants_its_rules_in_the_binding_namespace_only()
    {
        await ClusterRole("pod-reader", Rule(["get"], [""], ["pods"]));
        await RoleBinding("team-a", "alice-reads-pods", "ClusterRole", "pod-reader", User("alice"));

        Assert.True(await Allowed(Alice, "GET", "/api/v1/namespaces/team-a/pods/web"));
        Assert.False(await Allowed(Alice, "GET", "/api/v1/namespaces/team-b/pods/web"));
    }

    [Fact]
    public async Task A_Role_of_another_namespace_is_not_found_by_a_RoleBinding()
    {
        await Role("team-b", "pod-reader", Rule(["get"], [""], ["pods"]));
        await RoleBinding("team-a", "alice-reads-pods", "Role", "pod-reader", User("alice"));

        Assert.Equal(new Decision(false, "RBAC: role.rbac.authorization.k8s.io \"pod-reader\" not found"),
            await Can(Alice, "GET", "/api/v1/namespaces/team-a/pods/web"));
    }

    [Fact]
    public async Task Groups_match_the_user_groups_including_system_authenticated()
    {
        await ClusterRole("pod-reader", Rule(["get"], [""], ["pods"]));
        await ClusterRole("node-reader", Rule(["get"], [""], ["nodes"]));
        await ClusterRoleBinding("devs-read-pods", "pod-reader", Group("devs"));
        await ClusterRoleBinding("everyone-reads-nodes", "node-reader", Group("system:authenticated"));

        Assert.True(await Allowed(Alice, "GET", "/api/v1/namespaces/default/pods/web"));
        Assert.False(await Allowed(Bob, "GET", "/api/v1/namespaces/default/pods/web"));
        Assert.True(await Allowed(Bob, "GET", "/api/v1/nodes/master-1"));
        Assert.False(await Allowed(UserInfo.Anonymous, "GET", "/api/v1/nodes/master-1"));
    }

    [Fact]
    public async Task A_ServiceAccount_subject_is_its_system_serviceaccount_user_in_the_binding_namespace_unless_it_names_one()
    {
        var sa = UserInfo.Authenticated("system:serviceaccount:team-a:deployer", "", []);
        var elsewhere = UserInfo.Authenticated("system:serviceaccount:team-b:deployer", "", []);
        await ClusterRole("pod-reader", Rule(["get"], [""], ["pods"]));
        await ClusterRole("node-reader", Rule(["get"], [""], ["nodes"]));
        await RoleBinding("team-a", "deployer-reads-pods", "ClusterRole", "pod-reader", ServiceAccount("deployer"));
        await ClusterRoleBinding("deployer-reads-nodes", "node-reader", ServiceAccount("deployer", "team-b"));

        Assert.Equal(new Decision(true, "RBAC: allowed by RoleBinding \"deployer-reads-pods/team-a\" of ClusterRole \"pod-reader\" to ServiceAccount \"deployer/team-a\""),
            await Can(sa, "GET", "/api/v1/namespaces/team-a/pods/web"));
        Assert.False(await Allowed(elsewhere, "GET", "/api/v1/namespaces/team-a/pods/web"));
        Assert.True(await Allowed(elsewhere, "GET", "/api/v1/nodes/master-1"));
        Assert.False(await Allowed(sa, "GET", "/api/v1/nodes/master-1"));
    }

    // ---- what ---------------------------------------------------------------------------------------------------

    [Fact]
    public async Task Wildcards_match_any_verb_group_and_resource_but_only_that_field()
    {
        await ClusterRole("apps-admin", Rule(["*"], ["apps"], ["*"]));
        await ClusterRole("core-reader", Rule(["get"], ["*"], ["pods"]));
        await ClusterRoleBinding("alice", "apps-admin", User("alice"));
        await ClusterRoleBinding("alice-core", "core-reader", User("alice"));

        Assert.True(await Allowed(Alice, "DELETE", "/apis/apps/v1/namespaces/kube-system/deployments/kube-scheduler"));
        Assert.True(await Allowed(Alice, "PUT", "/apis/apps/v1/namespaces/kube-system/deployments/kube-scheduler/scale"));
        Assert.True(await Allowed(Alice, "GET", "/api/v1/namespaces/default/pods/web"));
        Assert.False(await Allowed(Alice, "DELETE", "/api/v1/namespaces/default/pods/web"));
        Assert.False(await Allowed(Alice, "GET", "/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/kube-scheduler"));
    }

    [Fact]
    public async Task A_subresource_needs_resource_slash_subresource_or_star_slash_subresource()
    {
        await ClusterRole("r",
            Rule(["get", "update"], [""], ["pods/status"]),
            Rule(["update"], ["apps"], ["*/scale"]),
            Rule(["create", "get"], [""], ["nodes"]));
        await ClusterRoleBinding("alice", "r", User("alice"));

        Assert.True(await Allowed(Alice, "PUT", "/api/v1/namespaces/default/pods/web/status"));
        Assert.False(await Allowed(Alice, "GET", "/api/v1/namespaces/default/pods/web"));
        Assert.True(await Allowed(Alice, "PUT", "/apis/apps/v1/namespaces/default/deployments/web/scale"));
        Assert.False(await Allowed(Alice, "PUT", "/apis/apps/v1/namespaces/default/deployments/web"));
        // A rule for the resource alone grants none of its subresources.
        Assert.True(await Allowed(Alice, "GET", "/api/v1/nodes/master-1"));
        Assert.False(await Allowed(Alice, "GET", "/api/v1/nodes/master-1/status"));
    }

    [Fact]
    public async Task Resource_names_allow_those_objects_only_never_a_create_and_a_list_or_watch_only_by_name()
    {
        await ClusterRole("rescue",
            Rule(["get", "list", "watch", "delete", "create"], [""], ["pods"], names: ["kube-scheduler-rescue"]),
            Rule(["create"], ["policy"], ["pods/eviction"], names: ["kube-scheduler-rescue"]));
        await RoleBinding("kube-system", "rescue", "ClusterRole", "rescue", User("alice"));
        const string pods = "/api/v1/namespaces/kube-system/pods";

        Assert.True(await Allowed(Alice, "DELETE", pods + "/kube-scheduler-rescue"));
        Assert.False(await Allowed(Alice, "DELETE", pods + "/kube-scheduler-abcde"));
        Assert.False(await Allowed(Alice, "POST", pods));
        Assert.False(await Allowed(Alice, "GET", pods));
        Assert.False(await Allowed(Alice, "GET", pods, "?watch=true"));
        Assert.True(await Allowed(Alice, "GET", pods, "?fieldSelector=metadata.name%3Dkube-scheduler-rescue"));
        Assert.True(await Allowed(Alice, "GET", pods, "?fieldSelector=metadata.name%3Dkube-scheduler-rescue&watch=true"));
        Assert.False(await Allowed(Alice, "GET", pods, "?fieldSelector=metadata.name%3Dother&watch=true"));
        Assert.False(await Allowed(Alice, "DELETE", pods, "?fieldSelector=metadata.name%3Dkube-scheduler-rescue"));
        // A subresource request names its object, so resourceNames can allow a create there; here the group is wrong.
        Assert.False(await Allowed(Alice, "POST", pods + "/kube-scheduler-rescue/eviction"));
    }

    [Fact]
    public async Task Non_resource_urls_match_exactly_or_by_a_star_prefix_and_only_through_ClusterRoleBindings()
    {
        await ClusterRole("health", Rule(["get"], urls: ["/livez", "/readyz/*"]));
        await ClusterRole("everything", Rule(["get"], urls: ["*"]));
        await ClusterRoleBinding("alice-health", "health", User("alice"));
        await RoleBinding("default", "bob-everything", "ClusterRole", "everything", User("bob"));

        Assert.True(await Allowed(Alice, "GET", "/livez"));
        Assert.False(await Allowed(Alice, "GET", "/livez/ping"));
        Assert.True(await Allowed(Alice, "GET", "/readyz/etcd"));
        Assert.False(await Allowed(Alice, "GET", "/readyz"));
        Assert.False(await Allowed(Alice, "POST", "/livez"));
        // A path is in no namespace, so a RoleBinding never reaches it, not even for "*".
        Assert.False(await Allowed(Bob, "GET", "/livez"));

        await ClusterRoleBinding("bob-everything", "everything", User("bob"));
        Assert.True(await Allowed(Bob, "GET", "/version"));
        Assert.False(await Allowed(Bob, "GET", "/api/v1/namespaces/default/pods"));
    }

    [Fact]
    public async Task Roles_that_cannot_be_found_are_the_reason_and_do_not_stop_other_bindings()
    {
        await ClusterRole("pod-reader", Rule(["get"], [""], ["pods"]));
        await ClusterRoleBinding("a-dangling", "gone", User("alice"));
        await RoleBinding("default", "b-dangling", "Role", "gone-too", User("alice"));
        await RoleBinding("default", "c-reads", "ClusterRole", "pod-reader", User("alice"));

        Assert.Equal(new Decision(false, "RBAC: [clusterrole.rbac.authorization.k8s.io \"gone\" not found, role.rbac.authorization.k8s.io \"gone-too\" not found]"),
            await Can(Alice, "DELETE", "/api/v1/namespaces/default/pods/web"));
        Assert.True(await Allowed(Alice, "GET", "/api/v1/namespaces/default/pods/web"));
    }

    [Fact]
    public async Task A_deleted_binding_stops_granting_at_the_next_request()
    {
        await ClusterRole("pod-reader", Rule(["get"], [""], ["pods"]));
        await ClusterRoleBinding("alice", "pod-reader", User("alice"));
        Assert.True(await Allowed(Alice, "GET", "/api/v1/namespaces/default/pods/web"));

        var rt = _storage.Registry.Get("rbac.authorization.k8s.io", "v1", "clusterrolebindings");
        await _storage.DeleteAsync(rt, null, "alice", DeleteOptions.From(null, _ => null), dryRun: false);

        Assert.False(await Allowed(Alice, "GET", "/api/v1/namespaces/default/pods/web"));
    }
}
