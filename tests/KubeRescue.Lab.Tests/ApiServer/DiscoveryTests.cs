using System.Net;
using System.Text.Json.Nodes;
using k8s;

namespace KubeRescue.Lab.Tests.ApiServer;

public class DiscoveryTests(LabServerFixture lab) : IClassFixture<LabServerFixture>
{
    async Task<JsonNode> Get(string path)
    {
        using var http = lab.Http();
        return JsonNode.Parse(await http.GetStringAsync(path))!;
    }

    [Fact]
    public async Task Core_and_group_discovery_list_every_resource_with_short_names_and_subresources()
    {
        Assert.Equal("v1", (string?)(await Get("/api"))["versions"]![0]);
        var groups = (await Get("/apis"))["groups"]!.AsArray().Select(g => (string?)g!["name"]).ToList();
        Assert.Equal(["apps", "authentication.k8s.io", "authorization.k8s.io", "coordination.k8s.io", "policy", "rbac.authorization.k8s.io"], groups.Order());

        var core = (await Get("/api/v1"))["resources"]!.AsArray().ToDictionary(r => (string)r!["name"]!, r => r!);
        Assert.Equal("po", (string?)core["pods"]["shortNames"]![0]);
        Assert.Equal("all", (string?)core["pods"]["categories"]![0]);
        Assert.True((bool)core["pods"]["namespaced"]!);
        Assert.False((bool)core["nodes"]["namespaced"]!);
        Assert.Contains("watch", core["pods"]["verbs"]!.AsArray().Select(v => (string?)v));
        foreach (var sub in new[] { "pods/status", "pods/binding", "pods/eviction", "nodes/status", "namespaces/finalize" }) Assert.True(core.ContainsKey(sub), sub);
        Assert.Equal("Eviction", (string?)core["pods/eviction"]["kind"]);

        var apps = (await Get("/apis/apps/v1"))["resources"]!.AsArray().ToDictionary(r => (string)r!["name"]!, r => r!);
        Assert.Equal("deploy", (string?)apps["deployments"]["shortNames"]![0]);
        Assert.Equal("Scale", (string?)apps["deployments/scale"]["kind"]);
        Assert.Equal("autoscaling", (string?)apps["deployments/scale"]["group"]);
        Assert.Equal("Lease", (string?)(await Get("/apis/coordination.k8s.io/v1"))["resources"]![0]!["kind"]);

        var rbac = (await Get("/apis/rbac.authorization.k8s.io/v1"))["resources"]!.AsArray().ToDictionary(r => (string)r!["name"]!, r => r!);
        Assert.Equal(["clusterrolebindings", "clusterroles", "rolebindings", "roles"], rbac.Keys.Order());
        Assert.True((bool)rbac["rolebindings"]["namespaced"]!);
        Assert.False((bool)rbac["clusterroles"]["namespaced"]!);
        var review = (await Get("/apis/authorization.k8s.io/v1"))["resources"]![0]!;
        Assert.Equal(("selfsubjectaccessreviews", "create"), ((string?)review["name"], (string?)review["verbs"]![0]));
    }

    [Fact]
    public async Task Version_and_health_endpoints()
    {
        var version = await Get("/version");
        Assert.Equal("1", (string?)version["major"]);
        Assert.StartsWith("v1.", (string?)version["gitVersion"]);
        using var http = lab.Http(authenticated: false);
        Assert.Equal("ok", await http.GetStringAsync("/readyz"));
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/healthz")).StatusCode);
    }

    [Fact]
    public async Task OpenAPI_v3_lists_every_group_version()
    {
        var paths = (await Get("/openapi/v3"))["paths"]!.AsObject().Select(p => p.Key).ToList();
        Assert.Superset(new HashSet<string> { "api/v1", "apis/apps/v1", "apis/coordination.k8s.io/v1", "apis/policy/v1" }, paths.ToHashSet());
        var url = (string)(await Get("/openapi/v3"))["paths"]!["apis/apps/v1"]!["serverRelativeURL"]!;
        var doc = await Get(url);
        Assert.NotNull(doc["components"]!["schemas"]!["io.k8s.api.apps.v1.Deployment"]);
    }

    [Fact]
    public async Task OpenAPI_revalidation_with_the_etag_is_304_without_a_body()
    {
        using var http = lab.Http();
        using var first = await http.GetAsync("/openapi/v3");
        var etag = first.Headers.ETag;
        Assert.NotNull(etag);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/openapi/v3");
        request.Headers.IfNoneMatch.Add(etag!);
        using var second = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.NotModified, second.StatusCode);
        Assert.Empty(await second.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task The_API_server_publishes_its_own_kubernetes_service()
    {
        var svc = await lab.Client.CoreV1.ReadNamespacedServiceAsync("kubernetes", "default");
        Assert.Equal(443, svc.Spec.Ports[0].Port);
        var ep = await lab.Client.CoreV1.ReadNamespacedEndpointsAsync("kubernetes", "default");
        Assert.Equal(lab.Server.Url.Port, ep.Subsets[0].Ports[0].Port);
    }
}
