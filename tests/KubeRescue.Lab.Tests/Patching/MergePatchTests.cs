using System.Text.Json.Nodes;
using KubeRescue.Lab.ApiServer.Patching;
using static KubeRescue.Lab.Tests.Patching.Json;

namespace KubeRescue.Lab.Tests.Patching;

public class MergePatchTests
{
    [Fact]
    public void Merges_objects_deletes_nulls_and_replaces_lists()
    {
        var result = MergePatch.Apply(
            Obj("""{"metadata":{"labels":{"a":"1","b":"2"}},"spec":{"containers":[{"name":"x","image":"1"},{"name":"y"}],"paused":true}}"""),
            Obj("""{"metadata":{"labels":{"a":null,"c":"3"}},"spec":{"containers":[{"name":"x","image":"2"}],"paused":null}}"""));

        Equal("""{"metadata":{"labels":{"b":"2","c":"3"}},"spec":{"containers":[{"name":"x","image":"2"}]}}""", result);
    }

    [Fact]
    public void New_values_lose_their_null_members_even_inside_arrays()
    {
        var result = MergePatch.Apply(Obj("""{"a":"scalar"}"""), Obj("""{"a":{"x":null,"y":1},"b":[{"z":null},null]}"""));

        Equal("""{"a":{"y":1},"b":[{},null]}""", result);
    }

    [Fact]
    public void An_object_replaced_by_an_array_takes_it_verbatim()
    {
        Equal("""{"a":[{"z":null}]}""", MergePatch.Apply(Obj("""{"a":{"x":1}}"""), Obj("""{"a":[{"z":null}]}""")));
    }

    [Fact]
    public void An_array_patch_replaces_the_document()
    {
        Equal("[1,2]", MergePatch.Apply(Obj("""{"a":1}"""), Arr("[1,2]")));
    }

    [Theory]
    [InlineData("null")]
    [InlineData("\"text\"")]
    [InlineData("5")]
    public void Null_and_scalar_patches_are_bad_requests(string patch)
    {
        var e = Assert.Throws<PatchException>(() => MergePatch.Apply(Obj("{}"), JsonNode.Parse(patch)));

        Assert.Equal(400, e.StatusCode);
        Assert.Equal("Invalid JSON Patch", e.Message);
    }

    [Fact]
    public void Does_not_modify_the_input()
    {
        var original = Obj("""{"a":{"b":1}}""");
        MergePatch.Apply(original, Obj("""{"a":{"b":2}}"""));
        Equal("""{"a":{"b":1}}""", original);
    }
}
