using System.Net.Http.Headers;
using System.Net;
using System.Text.Json.Nodes;
using System.Text;
using KubeRescue.Lab.ApiServer.Faults;
using k8s.Autorest;
using k8s.Models;
using k8s;

namespace KubeRescue.Lab.Tests.ApiServer.Auth;

/// <summary>A lab API server with users from a static token file: alice (group devs) and bob.</summary>
public sealed class TokenFileLab : IAsyncLifetime
{
    public const string AliceToken = "alice-token-0123456789";
    public const string BobToken = "bob-token-0123456789";

    readonly string _tokenFile = Path.GetTempFileName();

    public LabServerFixture Lab { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await File.WriteAllTextAsync(_tokenFile, $"{AliceToken},alice,u-alice,\"devs,oncall\"\n{BobToken},bob,u-bob\n");
        Lab = await LabServerFixture.StartAsync(LabServerFixture.Options with { TokenAuthFile = _tokenFile });
    }

    /// <summary>HTTP as the holder of this token (null: no Authorization header at all).</summary>
    public HttpClient As(string? token)
    {
        var http = Lab.Http(authenticated: false);
        if (token is not null) http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    /// <summary>HTTP as the kubeconfig's user, the admin.</summary>
    public HttpClient Admin() => As(Lab.Server.Token);

    /// <summary>The official client as the holder of this token.</summary>
    public k8s.Kubernetes ClientAs(string token)
    {
        var config = Lab.Server.ClientConfiguration();
        config.AccessToken = token;
        return new k8s.Kubernetes(config);
    }

    public async Task DisposeAsync()
    {
        await Lab.DisposeAsync();
        File.Delete(_tokenFile);
    }
}

/// <summary>
/// Authentication and RBAC over HTTP, as clients meet them: token-file users are refused in upstream's words until a
/// role is bound to them through the API, the admin and the lab's components are never refused, health stays open.
/// </summary>
public class RbacApiTests(TokenFileLab lab) : IClassFixture<TokenFileLab>
{
    static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    static async Task<(HttpStatusCode Code, JsonObject Body)> Send(HttpClient http, HttpMethod method, string path, string? body = null)
    {
        using var response = await http.SendAsync(new HttpRequestMessage(method, path) { Content = body is null ? null : Json(body) });
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.StartsWith('{') ? JsonNode.Parse(text)!.AsObject() : new JsonObject { ["text"] = text });
    }

    static Task<(HttpStatusCode Code, JsonObject Body)> Get(HttpClient http, string path) => Send(http, HttpMethod.Get, path);

    async Task Create(string path, string body)
    {
        using var admin = lab.Admin();
        var (code, created) = await Send(admin, HttpMethod.Post, path, body);
        Assert.True(code == HttpStatusCode.Created, created.ToJsonString());
    }

    [Fact]
    public async Task A_token_file_user_without_a_binding_is_refused_in_upstream_words()
    {
        using var alice = lab.As(TokenFileLab.AliceToken);

        using var delete = await alice.DeleteAsync("/api/v1/namespaces/kube-system/pods/kube-scheduler-rescue");
        Assert.Equal(HttpStatusCode.Forbidden, delete.StatusCode);
        Assert.Equal(
            """{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"pods \"kube-scheduler-rescue\" is forbidden: User \"alice\" cannot delete resource \"pods\" in API group \"\" in the namespace \"kube-system\"","reason":"Forbidden","details":{"name":"kube-scheduler-rescue","kind":"pods"},"code":403}""",
            await delete.Content.ReadAsStringAsync());

        var (code, status) = await Get(alice, "/api/v1/pods");
        Assert.Equal(HttpStatusCode.Forbidden, code);
        Assert.Equal("pods is forbidden: User \"alice\" cannot list resource \"pods\" in API group \"\" at the cluster scope", (string?)status["message"]);

        (code, status) = await Get(alice, "/livez/ping");
        Assert.Equal(HttpStatusCode.Forbidden, code);
        Assert.Equal("forbidden: User \"alice\" cannot get path \"/livez/ping\"", (string?)status["message"]);
    }

    [Fact]
    public async Task Every_authenticated_user_may_read_discovery_OpenAPI_version_and_health_as_the_default_roles_allow()
    {
        using var bob = lab.As(TokenFileLab.BobToken);

        foreach (var path in new[] { "/api", "/api/v1", "/apis", "/apis/rbac.authorization.k8s.io/v1", "/openapi/v3", "/version", "/livez", "/readyz", "/healthz" })
            Assert.Equal((path, HttpStatusCode.OK), (path, (await Get(bob, path)).Code));
        Assert.Equal(HttpStatusCode.Forbidden, (await Get(bob, "/api/v1/namespaces")).Code);
    }

    [Fact]
    public async Task A_Role_and_RoleBinding_made_through_the_API_let_the_user_in_their_namespace_and_deleting_the_binding_stops_it()
    {
        using var alice = lab.As(TokenFileLab.AliceToken);
        async Task<HttpStatusCode> ListConfigMaps(string ns) => (await Get(alice, $"/api/v1/namespaces/{ns}/configmaps")).Code;
        Assert.Equal(HttpStatusCode.Forbidden, await ListConfigMaps("kube-public"));

        await Create("/apis/rbac.authorization.k8s.io/v1/namespaces/kube-public/roles",
            """{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"Role","metadata":{"name":"cm-reader"},"rules":[{"apiGroups":[""],"resources":["configmaps"],"verbs":["list"]}]}""");
        await Create("/apis/rbac.authorization.k8s.io/v1/namespaces/kube-public/rolebindings",
            """{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"RoleBinding","metadata":{"name":"alice-reads-cms"},"roleRef":{"kind":"Role","name":"cm-reader"},"subjects":[{"kind":"User","name":"alice"}]}""");
        await Wait.UntilAsync(async () => await ListConfigMaps("kube-public") == HttpStatusCode.OK, TimeSpan.FromSeconds(10), "alice allowed once bound");
        Assert.Equal(HttpStatusCode.Forbidden, await ListConfigMaps("default"));

        using var admin = lab.Admin();
        Assert.Equal(HttpStatusCode.OK, (await Send(admin, HttpMethod.Delete, "/apis/rbac.authorization.k8s.io/v1/namespaces/kube-public/rolebindings/alice-reads-cms")).Code);
        await Wait.UntilAsync(async () => await ListConfigMaps("kube-public") == HttpStatusCode.Forbidden, TimeSpan.FromSeconds(10), "alice refused once unbound");
    }

    [Fact]
    public async Task The_admin_and_the_components_are_never_refused()
    {
        using var admin = lab.Admin();
        Assert.Equal(HttpStatusCode.OK, (await Get(admin, "/api/v1/namespaces/kube-system/secrets")).Code);
        // Authorized, then simply not there.
        Assert.Equal(HttpStatusCode.NotFound, (await Get(admin, "/no/such/path")).Code);
        Assert.Equal(HttpStatusCode.OK, (await Get(admin, "/livez/ping")).Code);

        var components = lab.Lab.Client;
        Assert.NotEmpty((await components.CoreV1.ListNamespaceAsync()).Items);
        Assert.NotEmpty((await components.RbacAuthorizationV1.ListClusterRoleAsync()).Items);
    }

    [Fact]
    public async Task API_faults_hit_token_file_users_before_authorization_and_never_the_components()
    {
        var tokens = Path.GetTempFileName();
        await File.WriteAllTextAsync(tokens, $"{TokenFileLab.AliceToken},alice,u-alice\n");
        var flaky = await LabServerFixture.StartAsync(LabServerFixture.Options with { TokenAuthFile = tokens, ApiFaults = ApiFaults.Parse("error-rate=1") });
        try
        {
            using var alice = flaky.Http(authenticated: false);
            alice.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TokenFileLab.AliceToken);
            using var response = await alice.GetAsync("/api/v1/namespaces");
            Assert.True(response.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.InternalServerError or HttpStatusCode.ServiceUnavailable,
                response.StatusCode.ToString());
            Assert.NotEmpty((await flaky.Client.CoreV1.ListNamespaceAsync()).Items);
        }
        finally
        {
            await flaky.DisposeAsync();
            File.Delete(tokens);
        }
    }

    [Fact]
    public async Task Health_needs_no_token_anything_else_without_one_and_any_unknown_token_is_401()
    {
        using var anonymous = lab.As(null);
        foreach (var path in new[] { "/livez", "/readyz", "/healthz" })
        {
            var (code, body) = await Get(anonymous, path);
            Assert.Equal((path, HttpStatusCode.OK, "ok"), (path, code, (string?)body["text"]));
        }
        foreach (var path in new[] { "/livez/ping", "/version", "/api", "/api/v1/namespaces" })
            Assert.Equal((path, HttpStatusCode.Unauthorized), (path, (await Get(anonymous, path)).Code));

        using var stranger = lab.As("not-a-token");
        var (unknown, status) = await Get(stranger, "/livez");
        Assert.Equal(HttpStatusCode.Unauthorized, unknown);
        Assert.Equal("Unauthorized", (string?)status["reason"]);
    }

    [Fact]
    public async Task Kubectl_auth_can_i_asks_with_a_SelfSubjectAccessReview_answered_by_the_same_rules()
    {
        using var bob = lab.ClientAs(TokenFileLab.BobToken);
        V1SelfSubjectAccessReview Review(string verb, string resource, string ns, string name = "") => new()
        {
            Spec = new V1SelfSubjectAccessReviewSpec
            {
                ResourceAttributes = new V1ResourceAttributes { Verb = verb, Resource = resource, NamespaceProperty = ns, Name = name },
            },
        };

        var denied = await bob.AuthorizationV1.CreateSelfSubjectAccessReviewAsync(Review("get", "leases", "kube-node-lease", "node-1"));
        Assert.False(denied.Status.Allowed);

        await Create("/apis/rbac.authorization.k8s.io/v1/clusterroles",
            """{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRole","metadata":{"name":"lease-reader"},"rules":[{"apiGroups":["coordination.k8s.io"],"resources":["leases"],"verbs":["get"]}]}""");
        await Create("/apis/rbac.authorization.k8s.io/v1/namespaces/kube-node-lease/rolebindings",
            """{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"RoleBinding","metadata":{"name":"bob-reads-leases"},"roleRef":{"kind":"ClusterRole","name":"lease-reader"},"subjects":[{"kind":"User","name":"bob"}]}""");

        var review = Review("get", "leases", "kube-node-lease", "node-1");
        review.Spec.ResourceAttributes.Group = "coordination.k8s.io";
        var allowed = await bob.AuthorizationV1.CreateSelfSubjectAccessReviewAsync(review);
        Assert.True(allowed.Status.Allowed);
        Assert.Equal("RBAC: allowed by RoleBinding \"bob-reads-leases/kube-node-lease\" of ClusterRole \"lease-reader\" to User \"bob\"", allowed.Status.Reason);

        var livez = await bob.AuthorizationV1.CreateSelfSubjectAccessReviewAsync(new V1SelfSubjectAccessReview
        {
            Spec = new V1SelfSubjectAccessReviewSpec { NonResourceAttributes = new V1NonResourceAttributes { Verb = "get", Path = "/livez" } },
        });
        Assert.True(livez.Status.Allowed);

        var neither = await Assert.ThrowsAsync<HttpOperationException>(() => bob.AuthorizationV1.CreateSelfSubjectAccessReviewAsync(new V1SelfSubjectAccessReview { Spec = new() }));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, neither.Response.StatusCode);
        Assert.Contains("exactly one of nonResourceAttributes or resourceAttributes must be specified", neither.Response.Content);
    }

    [Fact]
    public async Task Impersonation_needs_the_impersonate_verb_and_then_acts_as_the_user_it_names()
    {
        using var admin = lab.Admin();
        admin.DefaultRequestHeaders.Add("Impersonate-User", "bob");
        var (code, status) = await Get(admin, "/api/v1/namespaces/default/secrets");
        Assert.Equal(HttpStatusCode.Forbidden, code);
        Assert.Equal("secrets is forbidden: User \"bob\" cannot list resource \"secrets\" in API group \"\" in the namespace \"default\"", (string?)status["message"]);

        admin.DefaultRequestHeaders.Add("Impersonate-Group", "system:masters");
        Assert.Equal(HttpStatusCode.OK, (await Get(admin, "/api/v1/namespaces/default/secrets")).Code);

        using var alice = lab.As(TokenFileLab.AliceToken);
        alice.DefaultRequestHeaders.Add("Impersonate-User", "bob");
        (code, status) = await Get(alice, "/livez");
        Assert.Equal(HttpStatusCode.Forbidden, code);
        Assert.Equal("users \"bob\" is forbidden: User \"alice\" cannot impersonate resource \"users\" in API group \"\" at the cluster scope", (string?)status["message"]);

        using var groupsOnly = lab.Admin();
        groupsOnly.DefaultRequestHeaders.Add("Impersonate-Group", "system:masters");
        Assert.Equal(HttpStatusCode.BadRequest, (await Get(groupsOnly, "/livez")).Code);
    }

    [Fact]
    public async Task Impersonating_a_service_account_is_checked_on_serviceaccounts_and_gives_its_groups()
    {
        await Create("/apis/rbac.authorization.k8s.io/v1/clusterroles",
            """{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRole","metadata":{"name":"impersonate-deployer"},"rules":[{"apiGroups":[""],"resources":["serviceaccounts"],"resourceNames":["deployer"],"verbs":["impersonate"]}]}""");
        await Create("/apis/rbac.authorization.k8s.io/v1/namespaces/kube-system/rolebindings",
            """{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"RoleBinding","metadata":{"name":"alice-is-deployer"},"roleRef":{"kind":"ClusterRole","name":"impersonate-deployer"},"subjects":[{"kind":"User","name":"alice"}]}""");
        await Create("/apis/rbac.authorization.k8s.io/v1/clusterroles",
            """{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRole","metadata":{"name":"sa-group-reads-nodes"},"rules":[{"apiGroups":[""],"resources":["nodes"],"verbs":["list"]}]}""");
        await Create("/apis/rbac.authorization.k8s.io/v1/clusterrolebindings",
            """{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRoleBinding","metadata":{"name":"sa-group-reads-nodes"},"roleRef":{"kind":"ClusterRole","name":"sa-group-reads-nodes"},"subjects":[{"kind":"Group","name":"system:serviceaccounts:kube-system"}]}""");

        using var alice = lab.As(TokenFileLab.AliceToken);
        alice.DefaultRequestHeaders.Add("Impersonate-User", "system:serviceaccount:kube-system:deployer");
        await Wait.UntilAsync(async () => (await Get(alice, "/api/v1/nodes")).Code == HttpStatusCode.OK, TimeSpan.FromSeconds(10), "alice listing nodes as the deployer");

        using var other = lab.As(TokenFileLab.AliceToken);
        other.DefaultRequestHeaders.Add("Impersonate-User", "system:serviceaccount:kube-system:builder");
        var (code, status) = await Get(other, "/api/v1/nodes");
        Assert.Equal(HttpStatusCode.Forbidden, code);
        Assert.Equal("serviceaccounts \"builder\" is forbidden: User \"alice\" cannot impersonate resource \"serviceaccounts\" in API group \"\" in the namespace \"kube-system\"",
            (string?)status["message"]);
    }

    [Fact]
    public async Task The_default_roles_are_there_from_the_start()
    {
        var rbac = lab.Lab.Client.RbacAuthorizationV1;
        var bindings = (await rbac.ListClusterRoleBindingAsync()).Items.ToDictionary(b => b.Name());

        foreach (var (name, groups) in new[]
        {
            ("cluster-admin", new[] { "system:masters" }),
            ("system:discovery", ["system:authenticated"]),
            ("system:basic-user", ["system:authenticated"]),
            ("system:public-info-viewer", ["system:authenticated", "system:unauthenticated"]),
        })
        {
            var binding = bindings[name];
            Assert.Equal(("ClusterRole", name), (binding.RoleRef.Kind, binding.RoleRef.Name));
            Assert.All(binding.Subjects, s => Assert.Equal("Group", s.Kind));
            Assert.Equal(groups, binding.Subjects.Select(s => s.Name));
            Assert.Equal("rbac-defaults", (await rbac.ReadClusterRoleAsync(name)).Labels()["kubernetes.io/bootstrapping"]);
        }
    }
}
