using System.Security.Cryptography;
using System.Text.Json.Nodes;
using KubeRescue.Lab.ApiServer.OpenApi;

namespace KubeRescue.Lab.Tests.OpenApi;

public class DocumentTests
{
    private static readonly OpenApiDocuments Docs = SchemaTests.Docs;
    private static readonly DateTimeOffset Now = new(2025, 1, 2, 3, 4, 5, TimeSpan.Zero);

    [Fact]
    public void RootListsEveryGroupVersionWithItsContentHash()
    {
        var paths = JsonNode.Parse(Docs.V3Root())!["paths"]!.AsObject();
        Assert.Equal(["api/v1", "apis/apps/v1", "apis/coordination.k8s.io/v1"], paths.Select(p => p.Key));
        foreach (var (key, value) in paths)
        {
            var expected = Convert.ToHexString(SHA512.HashData(Docs.V3GroupVersion(key)!));
            Assert.Equal($"/openapi/v3/{key}?hash={expected}", (string?)value!["serverRelativeURL"]);
        }
    }

    [Fact]
    public void DocumentsAreDeterministic() =>
        Assert.Equal(Docs.V3Root(), new OpenApiDocuments(SchemaTests.Resources, SchemaTests.FakePatchMetadata).V3Root());

    [Fact]
    public void GroupVersionDocumentHasOpenApiShape()
    {
        var doc = SchemaTests.Doc("apis/apps/v1");
        Assert.Equal("3.0.0", (string?)doc["openapi"]);
        Assert.Equal("Kubernetes", (string?)doc["info"]!["title"]);
        var paths = doc["paths"]!.AsObject();
        Assert.Contains("/apis/apps/v1/namespaces/{namespace}/deployments", paths.Select(p => p.Key));
        Assert.Contains("/apis/apps/v1/deployments", paths.Select(p => p.Key));
        Assert.Contains("/apis/apps/v1/namespaces/{namespace}/deployments/{name}/status", paths.Select(p => p.Key));
        Assert.Null(Docs.V3GroupVersion("apis/batch/v1"));
    }

    [Theory]
    [InlineData("/apis/apps/v1/namespaces/{namespace}/deployments", "post", "createAppsV1NamespacedDeployment")]
    [InlineData("/apis/apps/v1/namespaces/{namespace}/deployments/{name}", "put", "replaceAppsV1NamespacedDeployment")]
    [InlineData("/apis/apps/v1/namespaces/{namespace}/deployments/{name}", "patch", "patchAppsV1NamespacedDeployment")]
    public void WriteOperationsOfferFieldValidationAndDryRun(string path, string method, string operationId)
    {
        var op = SchemaTests.Doc("apis/apps/v1")["paths"]![path]![method]!;
        Assert.Equal(operationId, (string?)op["operationId"]);
        var names = op["parameters"]!.AsArray().Select(p => (string?)p!["name"]).ToList();
        Assert.Contains("fieldValidation", names);
        Assert.Contains("dryRun", names);
        Assert.Contains("fieldManager", names);
        Assert.Equal("""{"group":"apps","kind":"Deployment","version":"v1"}""", op["x-kubernetes-group-version-kind"]!.ToJsonString());
    }

    [Fact]
    public void PatchOperationAcceptsEveryPatchType()
    {
        var patch = SchemaTests.Doc("api/v1")["paths"]!["/api/v1/namespaces/{namespace}/pods/{name}"]!["patch"]!;
        Assert.Equal(
            ["application/apply-patch+yaml", "application/json-patch+json", "application/merge-patch+json", "application/strategic-merge-patch+json"],
            patch["requestBody"]!["content"]!.AsObject().Select(c => c.Key));
        Assert.Contains("force", patch["parameters"]!.AsArray().Select(p => (string?)p!["name"]));
        Assert.Equal("patch", (string?)patch["x-kubernetes-action"]);
    }

    [Fact]
    public void ScaleSubresourceIsDescribedAsAutoscalingScale()
    {
        var op = SchemaTests.Doc("apis/apps/v1")["paths"]!["/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale"]!["patch"]!;
        Assert.Equal("""{"group":"autoscaling","kind":"Scale","version":"v1"}""", op["x-kubernetes-group-version-kind"]!.ToJsonString());
    }

    [Fact]
    public void ClusterScopedPathsHaveNoNamespace()
    {
        var paths = SchemaTests.Doc("api/v1")["paths"]!.AsObject();
        Assert.Contains("/api/v1/namespaces/{name}", paths.Select(p => p.Key));
        var parameters = paths["/api/v1/namespaces/{name}"]!["parameters"]!.AsArray().Select(p => (string?)p!["name"]);
        Assert.Equal(["name", "pretty"], parameters);
    }

    [Fact]
    public void MatchingHashIsServedImmutable()
    {
        var hash = Docs.V3GroupVersionHash("apis/apps/v1")!;
        var response = Docs.Respond("/openapi/v3/apis/apps/v1", "application/json", hash, null, Now)!;
        Assert.Equal(200, response.StatusCode);
        Assert.Equal("application/json", response.ContentType);
        Assert.Equal(Docs.V3GroupVersion("apis/apps/v1"), response.Body);
        Assert.Contains(new("Cache-Control", "public, immutable"), response.Headers);
        Assert.Contains(new("Etag", $"\"{hash}\""), response.Headers);
        Assert.Contains(new("Expires", "Fri, 02 Jan 2026 03:04:05 UTC"), response.Headers);
    }

    [Fact]
    public void StaleHashRedirectsToCurrent()
    {
        var response = Docs.Respond("/openapi/v3/apis/apps/v1", "application/json", "0BAD", null, Now)!;
        Assert.Equal(301, response.StatusCode);
        Assert.Contains(new("Location", $"/openapi/v3/apis/apps/v1?hash={Docs.V3GroupVersionHash("apis/apps/v1")}"), response.Headers);
    }

    [Fact]
    public void MatchingEtagIsNotModified()
    {
        var etag = $"\"{Docs.V3GroupVersionHash("api/v1")}\"";
        Assert.Equal(304, Docs.Respond("/openapi/v3/api/v1", "application/json", null, etag, Now)!.StatusCode);
        Assert.Equal(304, Docs.Respond("/openapi/v3", "application/json, */*", null, $"\"{Docs.RootHash}\"", Now)!.StatusCode);
    }

    [Fact]
    public void UnknownGroupVersionIsNotFoundAndOtherPathsAreNotOurs()
    {
        Assert.Equal(404, Docs.Respond("/openapi/v3/apis/batch/v1", "application/json", null, null, Now)!.StatusCode);
        Assert.Null(Docs.Respond("/api/v1", "application/json", null, null, Now));
    }

    [Fact]
    public void V2IsProtobufOnly()
    {
        var pb = Docs.Respond("/openapi/v2", "application/com.github.proto-openapi.spec.v2@v1.0+protobuf", null, null, Now)!;
        Assert.Equal(200, pb.StatusCode);
        Assert.Equal(OpenApiDocuments.V2ProtobufContentType, pb.ContentType);
        Assert.Equal(406, Docs.Respond("/openapi/v2", "application/json", null, null, Now)!.StatusCode);
    }
}
