using System.Text.Json.Nodes;
using KubeRescue.Kubernetes.Selectors;
using KubeRescue.Lab.ApiServer.Selectors;

namespace KubeRescue.Lab.Tests.Selectors;

public class FieldSetsTests
{
    private static JsonObject Obj(string json) => JsonNode.Parse(json)!.AsObject();

    [Fact]
    public void CustomConversionMessage()
    {
        Assert.Equal("field label not supported: spec.foo", FieldSets.Pods.Validate(FieldSelector.Parse("spec.foo=x")));
        Assert.Equal("field label not supported: metadata.namespace",
            FieldSets.Nodes.Validate(FieldSelector.Parse("metadata.namespace=x")));
        Assert.Equal("field label not supported: metadata.namespace",
            FieldSets.Namespaces.Validate(FieldSelector.Parse("metadata.namespace=x")));
        Assert.Null(FieldSets.Events.Validate(FieldSelector.Parse("involvedObject.name=p,reason=Killing,source=kubelet")));
    }

    [Fact]
    public void DefaultConversionMessage()
    {
        Assert.Equal("\"status.replicas\" is not a known field selector: only \"metadata.name\", \"metadata.namespace\"",
            FieldSets.ReplicaSets.Validate(FieldSelector.Parse("status.replicas=0")));
        Assert.Equal("\"spec.foo\" is not a known field selector: only \"metadata.name\", \"metadata.namespace\"",
            FieldSets.ConfigMaps.Validate(FieldSelector.Parse("spec.foo=x")));
        Assert.Null(FieldSets.ClusterScoped.Validate(FieldSelector.Parse("metadata.namespace=x")));
        Assert.Null(FieldSets.Deployments.Validate(FieldSelector.Parse("metadata.name=x,metadata.namespace!=y")));
    }

    [Fact]
    public void FirstRejectedFieldInTermOrderIsReported()
    {
        Assert.Equal("field label not supported: a.b",
            FieldSets.Pods.Validate(FieldSelector.Parse("z.z=1,a.b=2")));
    }

    [Fact]
    public void PodFields()
    {
        var pending = Obj("""{"metadata":{"name":"p","namespace":"ns"},"spec":{"containers":[]},"status":{"phase":"Pending"}}""");
        var running = Obj("""
            {"metadata":{"name":"q","namespace":"ns"},
             "spec":{"nodeName":"n1","hostNetwork":true,"restartPolicy":"Always","schedulerName":"default-scheduler","serviceAccountName":"sa"},
             "status":{"phase":"Running","podIP":"10.0.0.1","podIPs":[{"ip":"10.0.0.1"},{"ip":"fd00::1"}]}}
            """);
        var p = FieldSets.Pods;
        Assert.Equal("", p["spec.nodeName"](pending));
        Assert.Equal("false", p["spec.hostNetwork"](pending));
        Assert.Equal("", p["status.podIP"](pending));
        Assert.Equal("n1", p["spec.host"](running));
        Assert.Equal("true", p["spec.hostNetwork"](running));
        Assert.Equal("10.0.0.1", p["status.podIP"](running));
        Assert.Equal("", p["status.podIPs"](running));
        Assert.True(p.Matches(FieldSelector.Parse("spec.nodeName="), pending));
        Assert.False(p.Matches(FieldSelector.Parse("spec.nodeName="), running));
        Assert.True(p.Matches(FieldSelector.Parse("status.phase!=Pending,metadata.namespace=ns"), running));
        Assert.True(p.Matches(FieldSelector.Parse("spec.host=n1"), running));
    }

    [Fact]
    public void EventSourceFallsBackToReportingComponent()
    {
        var e = Obj("""{"metadata":{"name":"e","namespace":"ns"},"involvedObject":{"kind":"Pod","name":"p","namespace":"ns"},"reportingComponent":"kubelet","type":"Warning"}""");
        Assert.True(FieldSets.Events.Matches(FieldSelector.Parse("source=kubelet,involvedObject.kind=Pod,type=Warning"), e));
        e["source"] = new JsonObject { ["component"] = "scheduler" };
        Assert.True(FieldSets.Events.Matches(FieldSelector.Parse("source=scheduler,reportingComponent=kubelet"), e));
    }

    [Fact]
    public void OtherKinds()
    {
        Assert.Equal("false", FieldSets.Nodes["spec.unschedulable"](Obj("""{"spec":{}}""")));
        Assert.Equal("true", FieldSets.Nodes["spec.unschedulable"](Obj("""{"spec":{"unschedulable":true}}""")));
        Assert.Equal("Terminating", FieldSets.Namespaces["status.phase"](Obj("""{"status":{"phase":"Terminating"}}""")));
        Assert.Equal("kubernetes.io/tls", FieldSets.Secrets["type"](Obj("""{"type":"kubernetes.io/tls"}""")));
        Assert.Equal("None", FieldSets.Services["spec.clusterIP"](Obj("""{"spec":{"clusterIP":"None","type":"ClusterIP"}}""")));
        Assert.Equal("", FieldSets.ClusterScoped["metadata.namespace"](Obj("""{"metadata":{"name":"x","namespace":"y"}}""")));
        Assert.Equal(["metadata.name", "metadata.namespace"], FieldSets.Leases.Keys.Order());
    }
}
