using System.Text.Json.Nodes;
using KubeRescue.Lab.ApiServer.OpenApi;
using k8s.Models;

namespace KubeRescue.Lab.Tests.OpenApi;

public class SchemaTests
{
    private static readonly string[] AllVerbs = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];

    internal static readonly OpenApiResource[] Resources =
    [
        new("", "v1", "Pod", "pods", true, typeof(V1Pod), AllVerbs, ["status", "log", "exec", "eviction", "binding"]),
        new("", "v1", "Namespace", "namespaces", false, typeof(V1Namespace), AllVerbs, ["status"]),
        new("", "v1", "Secret", "secrets", true, typeof(V1Secret), AllVerbs, []),
        new("apps", "v1", "Deployment", "deployments", true, typeof(V1Deployment), AllVerbs, ["status", "scale"]),
        new("coordination.k8s.io", "v1", "Lease", "leases", true, typeof(V1Lease), AllVerbs, []),
    ];

    // Stands in for PatchStrategies.Lookup.
    internal static (string, string?)? FakePatchMetadata(Type type, string property) => (type.Name, property) switch
    {
        ("V1PodSpec", "containers") => ("merge", "name"),
        ("V1ObjectMeta", "finalizers") => ("merge", null),
        ("V1PodSpec", "volumes") => ("merge,retainKeys", "name"),
        _ => null,
    };

    internal static readonly OpenApiDocuments Docs = new(Resources, FakePatchMetadata);

    internal static JsonObject Doc(string path) => JsonNode.Parse(Docs.V3GroupVersion(path)!)!.AsObject();

    private static JsonObject Schema(string gv, string name) => Doc(gv)["components"]!["schemas"]![name]!.AsObject();

    private static JsonObject Property(string gv, string definition, string property) => Schema(gv, definition)["properties"]![property]!.AsObject();

    [Theory]
    [InlineData(typeof(V1Pod), "io.k8s.api.core.v1.Pod")]
    [InlineData(typeof(V1PodSpec), "io.k8s.api.core.v1.PodSpec")]
    [InlineData(typeof(V1PodTemplateSpec), "io.k8s.api.core.v1.PodTemplateSpec")]
    [InlineData(typeof(V1Container), "io.k8s.api.core.v1.Container")]
    [InlineData(typeof(V1DeploymentSpec), "io.k8s.api.apps.v1.DeploymentSpec")]
    [InlineData(typeof(V1RollingUpdateDeployment), "io.k8s.api.apps.v1.RollingUpdateDeployment")]
    [InlineData(typeof(V1JobTemplateSpec), "io.k8s.api.batch.v1.JobTemplateSpec")]
    [InlineData(typeof(V1LeaseSpec), "io.k8s.api.coordination.v1.LeaseSpec")]
    [InlineData(typeof(V1ObjectMeta), "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta")]
    [InlineData(typeof(V1LabelSelector), "io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector")]
    [InlineData(typeof(V1Status), "io.k8s.apimachinery.pkg.apis.meta.v1.Status")]
    [InlineData(typeof(V1Scale), "io.k8s.api.autoscaling.v1.Scale")]
    [InlineData(typeof(V2HorizontalPodAutoscalerSpec), "io.k8s.api.autoscaling.v2.HorizontalPodAutoscalerSpec")]
    [InlineData(typeof(V1PolicyRule), "io.k8s.api.rbac.v1.PolicyRule")]
    [InlineData(typeof(Rbacv1Subject), "io.k8s.api.rbac.v1.Subject")]
    [InlineData(typeof(Corev1Event), "io.k8s.api.core.v1.Event")]
    [InlineData(typeof(Eventsv1Event), "io.k8s.api.events.v1.Event")]
    [InlineData(typeof(V1CustomResourceDefinitionSpec), "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinitionSpec")]
    [InlineData(typeof(V1APIService), "io.k8s.kube-aggregator.pkg.apis.apiregistration.v1.APIService")]
    [InlineData(typeof(V1IngressSpec), "io.k8s.api.networking.v1.IngressSpec")]
    public void DefinitionNamesFollowUpstream(Type model, string expected) => Assert.Equal(expected, ModelNames.DefinitionName(model));

    [Fact]
    public void PodSchemaHasTypedPropertiesAndKind()
    {
        var pod = Schema("api/v1", "io.k8s.api.core.v1.Pod");
        Assert.Equal("object", (string?)pod["type"]);
        Assert.Equal("""[{"group":"","kind":"Pod","version":"v1"}]""", pod["x-kubernetes-group-version-kind"]!.ToJsonString());
        Assert.Equal("#/components/schemas/io.k8s.api.core.v1.PodSpec", (string?)pod["properties"]!["spec"]!["allOf"]![0]!["$ref"]);
        Assert.Equal("#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta", (string?)pod["properties"]!["metadata"]!["allOf"]![0]!["$ref"]);

        var spec = Schema("api/v1", "io.k8s.api.core.v1.PodSpec")["properties"]!;
        Assert.Equal("int64", (string?)spec["activeDeadlineSeconds"]!["format"]);
        Assert.Equal("int32", (string?)spec["priority"]!["format"]);
        Assert.Equal("boolean", (string?)spec["hostNetwork"]!["type"]);
        Assert.Equal("string", (string?)spec["nodeSelector"]!["additionalProperties"]!["type"]);
        Assert.Equal("#/components/schemas/io.k8s.apimachinery.pkg.api.resource.Quantity", (string?)spec["overhead"]!["additionalProperties"]!["$ref"]);

        var port = Schema("api/v1", "io.k8s.api.core.v1.ContainerPort");
        Assert.Equal("""["containerPort"]""", port["required"]!.ToJsonString());
        Assert.Equal("#/components/schemas/io.k8s.apimachinery.pkg.util.intstr.IntOrString",
            (string?)Property("api/v1", "io.k8s.api.core.v1.HTTPGetAction", "port")["allOf"]![0]!["$ref"]);
        Assert.True((bool)Schema("api/v1", "io.k8s.apimachinery.pkg.util.intstr.IntOrString")["x-kubernetes-int-or-string"]!);
        Assert.Equal("date-time", (string?)Schema("api/v1", "io.k8s.apimachinery.pkg.apis.meta.v1.Time")["format"]);
    }

    [Fact]
    public void SecretDataIsBase64Map() =>
        Assert.Equal("""{"type":"string","format":"byte"}""", Property("api/v1", "io.k8s.api.core.v1.Secret", "data")["additionalProperties"]!.ToJsonString());

    [Fact]
    public void PatchExtensionsComeFromTheLookup()
    {
        var containers = Property("api/v1", "io.k8s.api.core.v1.PodSpec", "containers");
        Assert.Equal("merge", (string?)containers["x-kubernetes-patch-strategy"]);
        Assert.Equal("name", (string?)containers["x-kubernetes-patch-merge-key"]);
        Assert.Equal("map", (string?)containers["x-kubernetes-list-type"]);
        Assert.Equal("""["name"]""", containers["x-kubernetes-list-map-keys"]!.ToJsonString());
        Assert.Equal("#/components/schemas/io.k8s.api.core.v1.Container", (string?)containers["items"]!["allOf"]![0]!["$ref"]);

        var volumes = Property("api/v1", "io.k8s.api.core.v1.PodSpec", "volumes");
        Assert.Equal("merge,retainKeys", (string?)volumes["x-kubernetes-patch-strategy"]);

        var finalizers = Property("api/v1", "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta", "finalizers");
        Assert.Equal("set", (string?)finalizers["x-kubernetes-list-type"]);
        Assert.Null(finalizers["x-kubernetes-patch-merge-key"]);

        Assert.Null(Property("api/v1", "io.k8s.api.core.v1.PodSpec", "tolerations")["x-kubernetes-patch-strategy"]);
        // The same type published in another group-version document carries the same metadata.
        Assert.Equal("name", (string?)Property("apis/apps/v1", "io.k8s.api.core.v1.PodSpec", "containers")["x-kubernetes-patch-merge-key"]);
    }

    [Fact]
    public void DeploymentDocumentHasAppsKindsAndScale()
    {
        var schemas = Doc("apis/apps/v1")["components"]!["schemas"]!.AsObject();
        Assert.Equal("""[{"group":"apps","kind":"Deployment","version":"v1"}]""", schemas["io.k8s.api.apps.v1.Deployment"]!["x-kubernetes-group-version-kind"]!.ToJsonString());
        Assert.Equal("int32", (string?)schemas["io.k8s.api.apps.v1.DeploymentSpec"]!["properties"]!["replicas"]!["format"]);
        Assert.True(schemas.ContainsKey("io.k8s.api.apps.v1.DeploymentList"));
        Assert.True(schemas.ContainsKey("io.k8s.api.autoscaling.v1.Scale"));
        Assert.False(schemas.ContainsKey("io.k8s.api.core.v1.Pod"));
    }

    [Fact]
    public void LeaseTimesAreMicroTime()
    {
        var spec = Schema("apis/coordination.k8s.io/v1", "io.k8s.api.coordination.v1.LeaseSpec")["properties"]!;
        Assert.Equal("#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime", (string?)spec["renewTime"]!["allOf"]![0]!["$ref"]);
        Assert.Equal("#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime", (string?)spec["acquireTime"]!["allOf"]![0]!["$ref"]);
        Assert.Equal("int32", (string?)spec["leaseDurationSeconds"]!["format"]);
        Assert.Equal("string", (string?)spec["holderIdentity"]!["type"]);
    }

    [Fact]
    public void EveryReferenceResolvesWithinItsDocument()
    {
        foreach (var path in Docs.GroupVersionPaths)
        {
            var doc = Doc(path);
            var schemas = doc["components"]!["schemas"]!.AsObject();
            foreach (var reference in References(doc))
                Assert.True(schemas.ContainsKey(reference["#/components/schemas/".Length..]), $"{path}: {reference}");
        }
    }

    private static IEnumerable<string> References(JsonNode? node) => node switch
    {
        JsonObject o => o.SelectMany(kv => kv.Key == "$ref" ? [(string)kv.Value!] : References(kv.Value)),
        JsonArray a => a.SelectMany(References),
        _ => [],
    };
}
