using k8s;
using k8s.Models;
using KubeRescue.Lab.Components;

namespace KubeRescue.Lab.Tests.Components;

public class ModelStringsTests
{
    const string Pod = """
        {"apiVersion":"v1","kind":"Pod","metadata":{"name":"web-1","namespace":"default","uid":"UID","labels":{"app":"web","tier":"backend"}},
         "spec":{"containers":[{"name":"app","image":"registry.example.com/web:1.2.3","args":["--port=8080"],
           "env":[{"name":"MODE","value":"production"}],"ports":[{"containerPort":8080,"protocol":"TCP"}]}],"restartPolicy":"Always"},
         "status":{"phase":"Running","conditions":[{"type":"Ready","status":"True"}]}}
        """;

    static V1Pod Decode(string uid) => KubernetesJson.Deserialize<V1Pod>(Pod.Replace("UID", uid));

    [Fact]
    public void Two_decoded_pods_share_their_repeated_strings_and_keep_their_own_ones()
    {
        var a = ModelStrings.Dedupe(Decode("0b9d6a3e-6f0c-4bb2-9c5e-3f1f3c3b5a01"));
        var b = ModelStrings.Dedupe(Decode("0b9d6a3e-6f0c-4bb2-9c5e-3f1f3c3b5a02"));

        Assert.Same(a.Status.Phase, b.Status.Phase);
        Assert.Same(a.Spec.RestartPolicy, b.Spec.RestartPolicy);
        Assert.Same(a.Spec.Containers[0].Image, b.Spec.Containers[0].Image);
        Assert.Same(a.Spec.Containers[0].Args[0], b.Spec.Containers[0].Args[0]);
        Assert.Same(a.Spec.Containers[0].Env[0].Value, b.Spec.Containers[0].Env[0].Value);
        Assert.Same(a.Status.Conditions[0].Status, b.Status.Conditions[0].Status);
        Assert.Same(a.Metadata.Labels["app"], b.Metadata.Labels["app"]);
        Assert.Same(a.Metadata.Labels.Keys.First(), b.Metadata.Labels.Keys.First());
        Assert.NotEqual(a.Metadata.Uid, b.Metadata.Uid);
    }

    [Fact]
    public void Sharing_changes_no_value()
    {
        var pod = Decode("0b9d6a3e-6f0c-4bb2-9c5e-3f1f3c3b5a03");
        var before = KubernetesJson.Serialize(pod);

        Assert.Equal(before, KubernetesJson.Serialize(ModelStrings.Dedupe(pod)));
    }
}
