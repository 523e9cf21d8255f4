using System.Text.Json.Nodes;
using KubeRescue.Lab.ApiServer.Validation;

namespace KubeRescue.Lab.Tests.Validation;

public class UpdateValidationTests
{
    private const string PodForbidden =
        "spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)";

    private static JsonObject Pod() => JsonNode.Parse("""
        {"metadata":{"name":"p","namespace":"d","uid":"u1"},
         "spec":{"containers":[{"name":"c","image":"nginx:1","ports":[{"containerPort":80}]}],
                 "tolerations":[{"key":"k","operator":"Exists","effect":"NoExecute","tolerationSeconds":30}],
                 "terminationGracePeriodSeconds":-1,"activeDeadlineSeconds":100}}
        """)!.AsObject();

    private static string[] Update(string kind, JsonObject oldObj, JsonObject newObj) =>
        Validators.ImmutableFieldsOnUpdate(kind, oldObj, newObj).Select(e => e.ToString()).ToArray();

    [Fact]
    public void AllowedPodChanges()
    {
        var updated = Pod();
        updated["spec"]!["containers"]![0]!["image"] = "nginx:2";
        updated["spec"]!["activeDeadlineSeconds"] = 50;
        updated["spec"]!["terminationGracePeriodSeconds"] = 1;
        updated["spec"]!["tolerations"]![0]!["tolerationSeconds"] = 10;
        updated["spec"]!["tolerations"]!.AsArray().Add(JsonNode.Parse("""{"key":"new","operator":"Exists"}"""));
        updated["metadata"]!["labels"] = new JsonObject { ["x"] = "y" };
        Assert.Empty(Update("Pod", Pod(), updated));
    }

    [Fact]
    public void OtherPodChangesAreForbidden()
    {
        var updated = Pod();
        updated["spec"]!["containers"]![0]!["ports"]![0]!["containerPort"] = 8080;
        var e = Assert.Single(Validators.ImmutableFieldsOnUpdate("Pod", Pod(), updated));
        Assert.Equal("FieldValueForbidden", e.Reason);
        Assert.Equal(PodForbidden, e.ToString());

        updated = Pod();
        updated["spec"]!["nodeName"] = "n1";
        Assert.Equal([PodForbidden], Update("Pod", Pod(), updated));
    }

    [Fact]
    public void DefaultEquivalentValuesAreNotChanges()
    {
        var old = Pod();
        var updated = Pod();
        updated["spec"]!["hostNetwork"] = false;
        updated["spec"]!["volumes"] = new JsonArray();
        Assert.Empty(Update("Pod", old, updated));
    }

    [Fact]
    public void PodContainerCountAndTolerationsAndDeadline()
    {
        var updated = Pod();
        updated["spec"]!["containers"]!.AsArray().Add(JsonNode.Parse("""{"name":"d","image":"x"}"""));
        Assert.Equal(["spec.containers: Forbidden: pod updates may not add or remove containers"], Update("Pod", Pod(), updated));

        updated = Pod();
        updated["spec"]!["tolerations"] = new JsonArray();
        Assert.Equal(["spec.tolerations: Forbidden: existing toleration can not be modified except its tolerationSeconds"], Update("Pod", Pod(), updated));

        updated = Pod();
        updated["spec"]!["activeDeadlineSeconds"] = 200;
        Assert.Equal(["spec.activeDeadlineSeconds: Invalid value: 200: must be less than or equal to previous value"], Update("Pod", Pod(), updated));

        updated = Pod();
        updated["spec"]!.AsObject().Remove("activeDeadlineSeconds");
        Assert.Equal(["spec.activeDeadlineSeconds: Invalid value: null: must not update from a positive integer to nil value"], Update("Pod", Pod(), updated));
    }

    [Fact]
    public void MetadataIdentityIsImmutable()
    {
        var updated = Pod();
        updated["metadata"]!["name"] = "q";
        updated["metadata"]!["uid"] = "u2";
        Assert.Equal([
            "metadata.name: Invalid value: \"q\": field is immutable",
            "metadata.uid: Invalid value: \"u2\": field is immutable",
        ], Update("ConfigMap", Pod(), updated));
    }

    [Theory]
    [InlineData("Deployment")]
    [InlineData("ReplicaSet")]
    [InlineData("DaemonSet")]
    public void WorkloadSelectorIsImmutable(string kind)
    {
        var old = JsonNode.Parse("""{"metadata":{"name":"w","namespace":"d"},"spec":{"replicas":1,"selector":{"matchLabels":{"app":"a"}}}}""")!.AsObject();
        var scaled = old.DeepClone().AsObject();
        scaled["spec"]!["replicas"] = 3;
        Assert.Empty(Update(kind, old, scaled));

        var changed = old.DeepClone().AsObject();
        changed["spec"]!["selector"] = JsonNode.Parse("""{"matchLabels":{"tier":"x","app":"b"},"matchExpressions":[]}""");
        Assert.Equal(["spec.selector: Invalid value: {\"matchLabels\":{\"app\":\"b\",\"tier\":\"x\"}}: field is immutable"], Update(kind, old, changed));
    }
}
