using k8s;
using k8s.Models;
using KubeRescue.Lab.Components;

namespace KubeRescue.Lab.Tests.Components;

public class SharedCopiesTests
{
    const string Pod = """
        {"apiVersion":"v1","kind":"Pod","metadata":{"name":"NAME","namespace":"default","uid":"NAME-uid","resourceVersion":"7"},
         "spec":{"containers":[{"name":"app","image":"IMAGE","args":["--port=8080"],"resources":{"requests":{"cpu":"10m"}}}],
           "volumes":[{"name":"config","configMap":{"name":"app-config"}}],
           "tolerations":[{"key":"node.kubernetes.io/not-ready","operator":"Exists","effect":"NoExecute","tolerationSeconds":300}],
           "securityContext":{},"nodeName":"NODE"}}
        """;

    static V1Pod Decode(string name, string image = "registry.example.com/web:1.2.3", string node = "worker-1") =>
        KubernetesJson.Deserialize<V1Pod>(Pod.Replace("NAME", name).Replace("IMAGE", image).Replace("NODE", node));

    [Fact]
    public void Pods_of_one_template_share_their_equal_parts_and_keep_their_own()
    {
        var a = SharedCopies.Of(Decode("web-a"));
        var b = SharedCopies.Of(Decode("web-b", node: "worker-2"));

        Assert.Same(a.Spec.Containers[0], b.Spec.Containers[0]);
        Assert.Same(a.Spec.Volumes[0], b.Spec.Volumes[0]);
        Assert.Same(a.Spec.Tolerations[0], b.Spec.Tolerations[0]);
        Assert.Same(a.Spec.SecurityContext, b.Spec.SecurityContext);
        Assert.NotSame(a.Spec, b.Spec);
        Assert.Equal(("worker-1", "worker-2"), (a.Spec.NodeName, b.Spec.NodeName));
    }

    [Fact]
    public void A_part_that_differs_is_not_shared()
    {
        var a = SharedCopies.Of(Decode("api-a"));
        var b = SharedCopies.Of(Decode("api-b", image: "registry.example.com/web:1.2.4"));

        Assert.NotSame(a.Spec.Containers[0], b.Spec.Containers[0]);
        Assert.Equal("registry.example.com/web:1.2.4", b.Spec.Containers[0].Image);
        Assert.Same(a.Spec.Volumes[0], b.Spec.Volumes[0]);
    }

    [Fact]
    public void Sharing_changes_no_value()
    {
        var before = KubernetesJson.Serialize(Decode("db-a"));

        Assert.Equal(before, KubernetesJson.Serialize(SharedCopies.Of(Decode("db-a"))));
    }
}
