using System.Text.Json.Nodes;
using KubeRescue.Lab.ApiServer.Selectors;

namespace KubeRescue.Lab.Tests.Selectors;

public class FieldSelectorTests
{
    private static readonly Dictionary<string, string> Fields = new()
    {
        ["metadata.name"] = "web-1",
        ["status.phase"] = "Running",
        ["spec.nodeName"] = "",
        ["odd"] = "a,b=c\\d",
    };

    private static string? Get(string f) => Fields.GetValueOrDefault(f);

    [Theory]
    [InlineData(null, true)]
    [InlineData("", true)]
    [InlineData("metadata.name=web-1", true)]
    [InlineData("metadata.name==web-1", true)]
    [InlineData("metadata.name!=web-1", false)]
    [InlineData("status.phase!=Pending,metadata.name=web-1", true)]
    [InlineData("status.phase=Running,metadata.name=web-2", false)]
    [InlineData("spec.nodeName=", true)]
    [InlineData("spec.nodeName!=", false)]
    [InlineData("unknown=", true)]
    [InlineData("odd=a\\,b\\=c\\\\d", true)]
    [InlineData(",metadata.name=web-1,", true)]
    public void Matches(string? selector, bool expected) =>
        Assert.Equal(expected, FieldSelector.Parse(selector).Matches(Get));

    [Fact]
    public void WhitespaceIsNotTrimmed()
    {
        var s = FieldSelector.Parse("metadata.name = web-1");
        Assert.Equal(["metadata.name "], s.Fields);
        Assert.Equal(" web-1", s.Requirements[0].Value);
    }

    [Fact]
    public void FieldsAndOrder()
    {
        var s = FieldSelector.Parse("status.phase=Running,metadata.name!=x,status.phase!=Failed");
        Assert.Equal(["metadata.name", "status.phase"], s.Fields);
        Assert.Equal("metadata.name!=x,status.phase!=Failed,status.phase=Running", s.ToString());
    }

    [Fact]
    public void FirstOperatorSplits()
    {
        var r = FieldSelector.Parse("a!=b").Requirements.Single();
        Assert.Equal(("a", true, "b"), (r.Field, r.NotEquals, r.Value));
        r = FieldSelector.Parse("a==b").Requirements.Single();
        Assert.Equal(("a", false, "b"), (r.Field, r.NotEquals, r.Value));
    }

    [Theory]
    [InlineData("foo", "invalid selector: 'foo'; can't understand 'foo'")]
    [InlineData("a=b,foo", "invalid selector: 'a=b,foo'; can't understand 'foo'")]
    [InlineData("a=b=c", "invalid field selector: unescaped character in value: 61")]
    [InlineData("a=b\\,c,d=e,f", "invalid selector: 'a=b\\,c,d=e,f'; can't understand 'f'")]
    [InlineData("a=b\\x", "invalid field selector: invalid escape sequence: \\x")]
    [InlineData("a=b\\", "invalid field selector: invalid escape sequence: \\")]
    public void Errors(string selector, string message)
    {
        var e = Assert.Throws<SelectorException>(() => FieldSelector.Parse(selector));
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void EscapeRoundTrips()
    {
        var escaped = FieldSelector.EscapeValue("a,b=c\\d");
        Assert.Equal("a\\,b\\=c\\\\d", escaped);
        Assert.Equal("a,b=c\\d", FieldSelector.Parse("x=" + escaped).Requirements[0].Value);
    }
}

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
