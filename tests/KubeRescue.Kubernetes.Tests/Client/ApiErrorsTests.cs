using System.Net;
using KubeRescue.Kubernetes.Client;
using k8s.Autorest;

namespace KubeRescue.Kubernetes.Tests.Client;

public class ApiErrorsTests
{
    static HttpOperationException Refusal(string message) => new()
    {
        Response = new HttpResponseMessageWrapper(new HttpResponseMessage(HttpStatusCode.Forbidden),
            $$"""{"kind":"Status","apiVersion":"v1","status":"Failure","message":{{System.Text.Json.JsonSerializer.Serialize(message)}},"reason":"Forbidden","code":403}"""),
    };

    [Theory]
    [InlineData("""pods "kube-scheduler-rescue" is forbidden: User "alice" cannot delete resource "pods" in API group "" in the namespace "kube-system" """,
        """Missing RBAC rule: apiGroups: [""], resources: [pods], verbs: [delete] (granted in namespace kube-system); docs/rbac.yaml has every rule kube-rescue needs""")]
    [InlineData("""nodes is forbidden: User "alice" cannot list resource "nodes" in API group "" at the cluster scope""",
        """Missing RBAC rule: apiGroups: [""], resources: [nodes], verbs: [list] (granted cluster-wide); docs/rbac.yaml has every rule kube-rescue needs""")]
    [InlineData("""leases.coordination.k8s.io "kube-scheduler" is forbidden: User "system:serviceaccount:ops:rescuer" cannot update resource "leases" in API group "coordination.k8s.io" in the namespace "kube-system" """,
        """Missing RBAC rule: apiGroups: ["coordination.k8s.io"], resources: [leases], verbs: [update] (granted in namespace kube-system)""")]
    [InlineData("""deployments.apps "kube-scheduler" is forbidden: User "alice" cannot patch resource "deployments/scale" in API group "apps" in the namespace "kube-system" """,
        """resources: [deployments/scale], verbs: [patch]""")]
    [InlineData("""forbidden: User "alice" cannot get path "/livez" """,
        """Missing RBAC rule: nonResourceURLs: [/livez], verbs: [get] (granted cluster-wide)""")]
    public void A_403_names_the_server_s_words_and_the_rule_that_would_allow_it(string message, string rule)
    {
        var described = ApiErrors.Describe(Refusal(message.Trim()));
        Assert.StartsWith($"permission denied (403): {message.Trim()}. ", described);
        Assert.Contains(rule, described);
    }

    [Fact]
    public void A_403_in_other_words_is_passed_on_as_it_is()
    {
        Assert.Equal("permission denied (403): admission webhook \"deny.example.com\" denied the request", ApiErrors.Describe(Refusal("admission webhook \"deny.example.com\" denied the request")));
    }
}
