using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using k8s.Models;
using static KubeRescue.Lab.Tests.ApiServer.ApiTestObjects;

namespace KubeRescue.Lab.Tests.ApiServer;

/// <summary>The three patch types through the official client, and what happens to fields the lab does not model.</summary>
public class PatchAndFieldTests(LabServerFixture lab) : IClassFixture<LabServerFixture>
{
    readonly k8s.Kubernetes _client = lab.Client;

    [Fact]
    public async Task Patches_see_the_resource_version_so_a_json_patch_can_test_it_and_a_merge_patch_can_pin_it()
    {
        var d = await _client.AppsV1.CreateNamespacedDeploymentAsync(Deployment(Unique("optimistic")), "default");
        var (name, rv) = (d.Metadata.Name, d.Metadata.ResourceVersion);
        string Test(string version) => $$"""[{"op":"test","path":"/metadata/resourceVersion","value":"{{version}}"},{"op":"replace","path":"/spec/replicas","value":3}]""";

        var patched = await _client.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch(Test(rv), V1Patch.PatchType.JsonPatch), name, "default");
        Assert.Equal(3, patched.Spec.Replicas);
        Assert.NotEqual(rv, patched.Metadata.ResourceVersion);

        // The same test against the version it no longer has: 422, and nothing changes.
        var stale = await Assert.ThrowsAsync<HttpOperationException>(() => _client.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch(Test(rv), V1Patch.PatchType.JsonPatch), name, "default"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, stale.Response.StatusCode);
        Assert.Equal(patched.Metadata.ResourceVersion, (await _client.AppsV1.ReadNamespacedDeploymentAsync(name, "default")).Metadata.ResourceVersion);

        // A merge patch that names an old resourceVersion is a precondition: 409.
        var conflict = await Assert.ThrowsAsync<HttpOperationException>(() => _client.AppsV1.PatchNamespacedDeploymentAsync(
            new V1Patch(new JsonObject { ["metadata"] = new JsonObject { ["resourceVersion"] = rv }, ["spec"] = new JsonObject { ["replicas"] = 5 } }.ToJsonString(), V1Patch.PatchType.MergePatch), name, "default"));
        Assert.Equal(HttpStatusCode.Conflict, conflict.Response.StatusCode);
    }

    [Fact]
    public async Task Json_merge_and_strategic_merge_patches()
    {
        var d = await _client.AppsV1.CreateNamespacedDeploymentAsync(Deployment(Unique("patched")), "default");
        var name = d.Metadata.Name;

        await _client.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch("""[{"op":"replace","path":"/spec/replicas","value":4}]""", V1Patch.PatchType.JsonPatch), name, "default");
        Assert.Equal(4, (await _client.AppsV1.ReadNamespacedDeploymentAsync(name, "default")).Spec.Replicas);

        await _client.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch("""{"metadata":{"labels":{"a":"b"}},"spec":{"replicas":null}}""", V1Patch.PatchType.MergePatch), name, "default");
        var merged = await _client.AppsV1.ReadNamespacedDeploymentAsync(name, "default");
        Assert.Equal("b", merged.Metadata.Labels["a"]);
        Assert.Equal(1, merged.Spec.Replicas);

        // Strategic: a second container merges in by name instead of replacing the list.
        await _client.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch(
            """{"spec":{"template":{"spec":{"containers":[{"name":"sidecar","image":"busybox"}]}}}}""", V1Patch.PatchType.StrategicMergePatch), name, "default");
        var strategic = await _client.AppsV1.ReadNamespacedDeploymentAsync(name, "default");
        Assert.Equal(["sidecar", "main"], strategic.Spec.Template.Spec.Containers.Select(c => c.Name));

        // The same body as a merge patch replaces the list.
        await _client.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch(
            """{"spec":{"template":{"spec":{"containers":[{"name":"only","image":"busybox"}]}}}}""", V1Patch.PatchType.MergePatch), name, "default");
        Assert.Equal(["only"], (await _client.AppsV1.ReadNamespacedDeploymentAsync(name, "default")).Spec.Template.Spec.Containers.Select(c => c.Name));
        Assert.Equal(5, (await _client.AppsV1.ReadNamespacedDeploymentAsync(name, "default")).Metadata.Generation);
    }

    [Fact]
    public async Task A_patch_pinned_to_a_stale_resource_version_conflicts()
    {
        var cm = await _client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new() { Name = Unique("cm") } }, "default");
        await _client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("""{"data":{"a":"1"}}""", V1Patch.PatchType.MergePatch), cm.Metadata.Name, "default");
        var stale = $$$"""{"metadata":{"resourceVersion":"{{{cm.Metadata.ResourceVersion}}}"},"data":{"a":"2"}}""";
        var e = await Assert.ThrowsAsync<HttpOperationException>(() =>
            _client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch(stale, V1Patch.PatchType.MergePatch), cm.Metadata.Name, "default"));
        Assert.Equal(HttpStatusCode.Conflict, e.Response.StatusCode);
    }

    [Fact]
    public async Task Fields_the_lab_does_not_model_survive_when_validation_is_ignored()
    {
        var name = Unique("cm");
        using var http = lab.Http();
        var body = $$$"""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"{{{name}}}"},"data":{"a":"1"},"futureField":{"nested":[1,2]}}""";
        using var created = await http.PostAsync("/api/v1/namespaces/default/configmaps?fieldValidation=Ignore", new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var read = JsonNode.Parse(await http.GetStringAsync($"/api/v1/namespaces/default/configmaps/{name}"))!;
        Assert.Equal(2, (int)read["futureField"]!["nested"]![1]!);
    }

    [Fact]
    public async Task Unknown_fields_warn_by_default_and_fail_under_strict()
    {
        using var http = lab.Http();
        var body = $$$"""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"{{{Unique("cm")}}}"},"spec":{"x":1}}""";
        using var warned = await http.PostAsync("/api/v1/namespaces/default/configmaps", new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Created, warned.StatusCode);
        Assert.Contains("299 - \"unknown field \\\"spec\\\"\"", warned.Headers.GetValues("Warning"));
        var strictBody = $$$"""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"{{{Unique("cm")}}}"},"spec":{"x":1}}""";
        using var strict = await http.PostAsync("/api/v1/namespaces/default/configmaps?fieldValidation=Strict", new StringContent(strictBody, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, strict.StatusCode);
        Assert.Contains("strict decoding error: unknown field \\\"spec\\\"", await strict.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Yaml_bodies_are_accepted()
    {
        using var http = lab.Http();
        var name = Unique("cm");
        var yaml = $"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\ndata:\n  port: \"8080\"\n  enabled: \"true\"\n";
        using var created = await http.PostAsync("/api/v1/namespaces/default/configmaps", new StringContent(yaml, Encoding.UTF8, "application/yaml"));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var cm = await _client.CoreV1.ReadNamespacedConfigMapAsync(name, "default");
        Assert.Equal("8080", cm.Data["port"]);
    }
}
