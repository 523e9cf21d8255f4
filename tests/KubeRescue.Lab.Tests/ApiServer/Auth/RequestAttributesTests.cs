using System.Text.Json.Nodes;
using KubeRescue.Lab.ApiServer.Auth;

namespace KubeRescue.Lab.Tests.ApiServer.Auth;

/// <summary>Requests taken apart as upstream's RequestInfoFactory does, and the 403 in upstream's words.</summary>
public class RequestAttributesTests
{
    static readonly UserInfo Alice = UserInfo.Authenticated("alice", "u1", []);

    static string Describe(RequestAttributes a) => a.IsResourceRequest
        ? $"{a.Verb} group={a.ApiGroup} ns={a.Namespace} {a.Resource}/{a.Subresource} name={a.Name}"
        : $"{a.Verb} path {a.Path}";

    [Theory]
    [InlineData("GET", "/api/v1/namespaces/kube-system/pods", "", "list group= ns=kube-system pods/ name=")]
    [InlineData("GET", "/api/v1/pods", "?watch=true", "watch group= ns= pods/ name=")]
    [InlineData("GET", "/api/v1/pods", "?watch=1&watch=false", "watch group= ns= pods/ name=")]
    [InlineData("GET", "/api/v1/pods", "?watch=False", "list group= ns= pods/ name=")]
    [InlineData("GET", "/api/v1/pods", "?watch=0", "list group= ns= pods/ name=")]
    [InlineData("GET", "/api/v1/watch/namespaces/default/pods/web", "", "watch group= ns=default pods/ name=web")]
    [InlineData("HEAD", "/api/v1/namespaces/default/pods/web", "", "get group= ns=default pods/ name=web")]
    [InlineData("POST", "/api/v1/namespaces/default/pods", "", "create group= ns=default pods/ name=")]
    [InlineData("PUT", "/apis/apps/v1/namespaces/kube-system/deployments/kube-scheduler/scale", "", "update group=apps ns=kube-system deployments/scale name=kube-scheduler")]
    [InlineData("PATCH", "/apis/apps/v1/namespaces/kube-system/deployments/kube-scheduler", "", "patch group=apps ns=kube-system deployments/ name=kube-scheduler")]
    [InlineData("POST", "/api/v1/namespaces/kube-system/pods/web/eviction", "", "create group= ns=kube-system pods/eviction name=web")]
    [InlineData("DELETE", "/api/v1/namespaces/default/pods/web", "", "delete group= ns=default pods/ name=web")]
    [InlineData("DELETE", "/api/v1/namespaces/default/pods", "?fieldSelector=metadata.name%3Dweb", "deletecollection group= ns=default pods/ name=")]
    // A namespace is addressed in its own namespace, with status and finalize as its subresources.
    [InlineData("GET", "/api/v1/namespaces/kube-system", "", "get group= ns=kube-system namespaces/ name=kube-system")]
    [InlineData("PUT", "/api/v1/namespaces/gone/finalize", "", "update group= ns=gone namespaces/finalize name=gone")]
    [InlineData("GET", "/api/v1/namespaces", "", "list group= ns= namespaces/ name=")]
    // A list or watch selecting metadata.name names its object; != or a bad selector names nothing.
    [InlineData("GET", "/apis/coordination.k8s.io/v1/namespaces/kube-system/leases", "?fieldSelector=metadata.name%3Dkube-scheduler&watch=true", "watch group=coordination.k8s.io ns=kube-system leases/ name=kube-scheduler")]
    [InlineData("GET", "/apis/apps/v1/namespaces/kube-system/deployments", "?fieldSelector=status.x%3Dy,metadata.name%3D%3Dkube-scheduler", "list group=apps ns=kube-system deployments/ name=kube-scheduler")]
    [InlineData("GET", "/api/v1/pods", "?fieldSelector=metadata.name!%3Dweb", "list group= ns= pods/ name=")]
    [InlineData("GET", "/api/v1/pods", "?fieldSelector=metadata.name%3Da%2Fb", "list group= ns= pods/ name=")]
    [InlineData("GET", "/api/v1/pods", "?fieldSelector=%3D%3D%3D", "list group= ns= pods/ name=")]
    // Everything else is a path.
    [InlineData("GET", "/livez", "", "get path /livez")]
    [InlineData("GET", "/api/v1", "", "get path /api/v1")]
    [InlineData("GET", "/apis/apps/v1", "", "get path /apis/apps/v1")]
    [InlineData("POST", "/openapi/v3", "", "post path /openapi/v3")]
    [InlineData("GET", "/", "", "get path /")]
    public void A_request_is_taken_apart_as_upstream_does(string method, string path, string query, string expected)
    {
        Assert.Equal(expected, Describe(RequestAttributes.From(Alice, method, path, query)));
    }

    [Theory]
    [InlineData("DELETE", "/api/v1/namespaces/kube-system/pods/kube-scheduler-rescue", "",
        "pods \"kube-scheduler-rescue\" is forbidden: User \"alice\" cannot delete resource \"pods\" in API group \"\" in the namespace \"kube-system\"",
        """{"name":"kube-scheduler-rescue","kind":"pods"}""")]
    [InlineData("GET", "/api/v1/pods", "",
        "pods is forbidden: User \"alice\" cannot list resource \"pods\" in API group \"\" at the cluster scope",
        """{"kind":"pods"}""")]
    [InlineData("POST", "/api/v1/namespaces/kube-system/pods/kube-scheduler-abc/eviction", "",
        "pods \"kube-scheduler-abc\" is forbidden: User \"alice\" cannot create resource \"pods/eviction\" in API group \"\" in the namespace \"kube-system\"",
        """{"name":"kube-scheduler-abc","kind":"pods"}""")]
    [InlineData("GET", "/apis/coordination.k8s.io/v1/namespaces/kube-system/leases", "?fieldSelector=metadata.name%3Dkube-scheduler&watch=1",
        "leases.coordination.k8s.io \"kube-scheduler\" is forbidden: User \"alice\" cannot watch resource \"leases\" in API group \"coordination.k8s.io\" in the namespace \"kube-system\"",
        """{"name":"kube-scheduler","group":"coordination.k8s.io","kind":"leases"}""")]
    [InlineData("GET", "/livez", "", "forbidden: User \"alice\" cannot get path \"/livez\"", "{}")]
    public void A_denial_is_worded_as_upstream_words_it(string method, string path, string query, string message, string details)
    {
        var status = RequestAttributes.From(Alice, method, path, query).Forbidden("").ToStatus();

        Assert.Equal(message, (string?)status["message"]);
        Assert.Equal(403, (int?)status["code"]);
        Assert.Equal("Forbidden", (string?)status["reason"]);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(details), status["details"]), status["details"]?.ToJsonString());
    }

    [Fact]
    public void The_authorizer_reason_follows_a_colon_and_markup_is_escaped_as_upstream_escapes_it()
    {
        var attributes = RequestAttributes.From(UserInfo.Authenticated("<eve&co>", "", []), "GET", "/api/v1/namespaces/default/pods/web", "");

        Assert.Equal(
            "pods \"web\" is forbidden: User \"&lt;eve&amp;co&gt;\" cannot get resource \"pods\" in API group \"\" in the namespace \"default\": RBAC: role.rbac.authorization.k8s.io \"gone\" not found",
            attributes.Forbidden("RBAC: role.rbac.authorization.k8s.io \"gone\" not found").Message);
    }
}
