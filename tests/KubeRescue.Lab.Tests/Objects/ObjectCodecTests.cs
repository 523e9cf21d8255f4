using System.Text.Json.Nodes;
using System.Text;
using KubeRescue.Lab.ApiServer.Errors;
using KubeRescue.Lab.ApiServer.Http;
using KubeRescue.Lab.ApiServer.Objects;
using k8s.Models;

namespace KubeRescue.Lab.Tests.Objects;

public class ObjectCodecTests
{
    [Fact]
    public void Encode_puts_type_and_metadata_first_and_drops_the_resource_version()
    {
        var obj = JsonNode.Parse("""{"spec":{"a":1},"metadata":{"resourceVersion":"7","name":"x"},"kind":"Pod","apiVersion":"v1"}""")!.AsObject();
        Assert.Equal("""{"apiVersion":"v1","kind":"Pod","metadata":{"name":"x"},"spec":{"a":1}}""", Encoding.UTF8.GetString(ObjectCodec.Encode(obj)));
    }

    [Theory]
    [InlineData("""{"apiVersion":"v1","kind":"Pod","metadata":{"name":"x"},"spec":{}}""", """{"apiVersion":"v1","kind":"Pod","metadata":{"resourceVersion":"42","name":"x"},"spec":{}}""")]
    [InlineData("""{"apiVersion":"v1","metadata":{},"kind":"Pod"}""", """{"apiVersion":"v1","metadata":{"resourceVersion":"42"},"kind":"Pod"}""")]
    [InlineData("""{"kind":"Event","involvedObject":{"metadata":{"x":1}},"metadata":{"name":"e"}}""", """{"kind":"Event","involvedObject":{"metadata":{"x":1}},"metadata":{"resourceVersion":"42","name":"e"}}""")]
    public void Stamping_splices_the_resource_version_into_top_level_metadata_only(string stored, string expected)
    {
        Assert.Equal(expected, Encoding.UTF8.GetString(ObjectCodec.Stamped(Encoding.UTF8.GetBytes(stored), 42)));
    }

    [Fact]
    public void Yaml_scalars_convert_as_sigs_yaml_does()
    {
        var node = ObjectCodec.YamlToJson("a: 1\nb: \"1\"\nc: true\nd: ~\ne: 1.5\nf: [x, 2]\ng: 'yes'\n")!;
        Assert.Equal("""{"a":1,"b":"1","c":true,"d":null,"e":1.5,"f":["x",2],"g":"yes"}""", node.ToJsonString());
    }

    [Fact]
    public void Protobuf_bodies_are_decoded_and_malformed_ones_are_400()
    {
        var body = Pb.Envelope("v1", "ConfigMap", new Pb().Msg(1, Pb.Meta("cm")).Entry(2, "a", "b"));
        Assert.Equal("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cm"},"data":{"a":"b"}}""",
            ObjectCodec.Decode(body, "application/vnd.kubernetes.protobuf; charset=binary", "ConfigMap")!.ToJsonString());
        var e = Assert.Throws<ApiException>(() => ObjectCodec.Decode(body.AsSpan(0, body.Length - 1), "application/vnd.kubernetes.protobuf", "ConfigMap"));
        Assert.Equal(400, e.Code);
        Assert.Contains("must be of type ConfigMap", e.Message);
    }

    [Fact]
    public void Other_binary_media_types_stay_415()
    {
        var e = Assert.Throws<ApiException>(() => ObjectCodec.Decode([0xd9, 0xd9, 0xf7], "application/cbor", "ConfigMap"));
        Assert.Equal(415, e.Code);
        Assert.Contains("application/vnd.kubernetes.protobuf", e.Message);
    }
}

public class TypeCheckTests
{
    static string? Error(string json, Type model) => TypeCheck.FirstError(JsonNode.Parse(json)!.AsObject(), model);

    [Fact]
    public void Well_typed_objects_pass()
    {
        Assert.Null(Error("""{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","labels":{"a":"b"}},"spec":{"containers":[{"name":"c","image":"i","ports":[{"containerPort":80}],"resources":{"limits":{"cpu":1,"memory":"1Gi"}}}],"terminationGracePeriodSeconds":30},"status":{"startTime":"2026-01-01T00:00:00Z"},"unknown":{"anything":[1]}}""", typeof(V1Pod)));
        Assert.Null(Error("""{"spec":{"strategy":{"rollingUpdate":{"maxSurge":1,"maxUnavailable":"25%"}},"replicas":null}}""", typeof(V1Deployment)));
    }

    [Theory]
    [InlineData("""{"metadata":{"name":5}}""", "json: cannot unmarshal number into Go struct field ObjectMeta.metadata.name of type string")]
    [InlineData("""{"metadata":{"labels":{"a":1}}}""", "json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels.a of type string")]
    [InlineData("""{"spec":{"containers":{}}}""", "json: cannot unmarshal object into Go struct field PodSpec.spec.containers of type []v1.Container")]
    [InlineData("""{"spec":{"containers":[{"ports":[{"containerPort":"80"}]}]}}""", "json: cannot unmarshal string into Go struct field ContainerPort.spec.containers[0].ports[0].containerPort of type int32")]
    [InlineData("""{"spec":{"terminationGracePeriodSeconds":1.5}}""", "json: cannot unmarshal number 1.5 into Go struct field PodSpec.spec.terminationGracePeriodSeconds of type int64")]
    [InlineData("""{"spec":{"priority":3000000000}}""", "json: cannot unmarshal number 3000000000 into Go struct field PodSpec.spec.priority of type int32")]
    [InlineData("""{"spec":"x"}""", "json: cannot unmarshal string into Go struct field Pod.spec of type v1.PodSpec")]
    public void The_first_mistyped_value_is_reported_as_the_Go_decoder_does(string json, string expected)
    {
        Assert.Equal(expected, Error(json, typeof(V1Pod)));
    }
}
