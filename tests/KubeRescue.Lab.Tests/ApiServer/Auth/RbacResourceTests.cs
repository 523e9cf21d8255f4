using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace KubeRescue.Lab.Tests.ApiServer.Auth;

/// <summary>Roles and bindings as resources: validated, defaulted and kept as upstream keeps them.</summary>
public class RbacResourceTests(LabServerFixture lab) : IClassFixture<LabServerFixture>
{
    static async Task<(HttpStatusCode Code, JsonObject Body)> Send(HttpClient http, HttpMethod method, string path, string body, string type = "application/json")
    {
        using var response = await http.SendAsync(new HttpRequestMessage(method, path) { Content = new StringContent(body, Encoding.UTF8, type) });
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject());
    }

    [Theory]
    [InlineData("/apis/rbac.authorization.k8s.io/v1/clusterroles",
        """{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRole","metadata":{"name":"no-verbs"},"rules":[{"apiGroups":[""],"resources":["pods"]}]}""",
        "ClusterRole.rbac.authorization.k8s.io \"no-verbs\" is invalid: rules[0].verbs: Required value: verbs must contain at least one value")]
    [InlineData("/apis/rbac.authorization.k8s.io/v1/namespaces/default/roles",
        """{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"Role","metadata":{"name":"paths"},"rules":[{"nonResourceURLs":["/livez"],"verbs":["get"]}]}""",
        "Role.rbac.authorization.k8s.io \"paths\" is invalid: rules[0].nonResourceURLs: Invalid value: [\"/livez\"]: namespaced rules cannot apply to non-resource URLs")]
    [InlineData("/apis/rbac.authorization.k8s.io/v1/clusterrolebindings",
        """{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRoleBinding","metadata":{"name":"no-role"},"subjects":[{"kind":"Robot","name":"r2"}]}""",
        "ClusterRoleBinding.rbac.authorization.k8s.io \"no-role\" is invalid: [roleRef.kind: Unsupported value: \"\": supported values: \"ClusterRole\", roleRef.name: Required value, subjects[0].kind: Unsupported value: \"Robot\": supported values: \"ServiceAccount\", \"User\", \"Group\"]")]
    public async Task Roles_and_bindings_are_validated_as_upstream_validates_them(string path, string body, string message)
    {
        using var http = lab.Http();
        var (code, status) = await Send(http, HttpMethod.Post, path, body);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, code);
        Assert.Equal(message, (string?)status["message"]);
    }

    [Fact]
    public async Task A_bindings_roleRef_never_changes_and_its_subjects_get_their_default_API_group()
    {
        const string path = "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings";
        using var http = lab.Http();
        var (created, stored) = await Send(http, HttpMethod.Post, path,
            """{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRoleBinding","metadata":{"name":"fixed"},"roleRef":{"kind":"ClusterRole","name":"view"},"subjects":[{"kind":"Group","name":"auditors"},{"kind":"ServiceAccount","name":"robot","namespace":"default"}]}""");
        Assert.Equal(HttpStatusCode.Created, created);
        Assert.Equal("rbac.authorization.k8s.io", (string?)stored["roleRef"]!["apiGroup"]);
        Assert.Equal("rbac.authorization.k8s.io", (string?)stored["subjects"]![0]!["apiGroup"]);
        Assert.Null(stored["subjects"]![1]!["apiGroup"]);

        var (code, status) = await Send(http, HttpMethod.Patch, path + "/fixed",
            """{"roleRef":{"name":"edit"},"subjects":[{"kind":"User","name":"carol"}]}""", "application/merge-patch+json");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, code);
        Assert.Equal(
            "ClusterRoleBinding.rbac.authorization.k8s.io \"fixed\" is invalid: roleRef: Invalid value: {\"APIGroup\":\"rbac.authorization.k8s.io\",\"Kind\":\"ClusterRole\",\"Name\":\"edit\"}: cannot change roleRef",
            (string?)status["message"]);
    }

    [Fact]
    public async Task Subjects_may_change_and_an_update_that_keeps_the_roleRef_is_allowed()
    {
        const string path = "/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings";
        using var http = lab.Http();
        Assert.Equal(HttpStatusCode.Created, (await Send(http, HttpMethod.Post, path,
            """{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"RoleBinding","metadata":{"name":"growing"},"roleRef":{"kind":"Role","name":"r"},"subjects":[{"kind":"User","name":"a"}]}""")).Code);

        var (code, patched) = await Send(http, HttpMethod.Patch, path + "/growing",
            """{"subjects":[{"kind":"User","name":"a"},{"kind":"Group","name":"g"}]}""", "application/merge-patch+json");

        Assert.Equal(HttpStatusCode.OK, code);
        Assert.Equal("rbac.authorization.k8s.io", (string?)patched["subjects"]![1]!["apiGroup"]);
    }
}
