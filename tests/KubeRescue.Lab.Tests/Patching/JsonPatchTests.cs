using KubeRescue.Lab.ApiServer.Patching;
using static KubeRescue.Lab.Tests.Patching.Json;

namespace KubeRescue.Lab.Tests.Patching;

public class JsonPatchTests
{
    private const string Pod = """
        {"metadata":{"name":"p","labels":{"app":"a","a/b":"x","t~n":"y"}},
         "spec":{"containers":[{"name":"c0","image":"i0"},{"name":"c1","image":"i1"}]}}
        """;

    [Fact]
    public void Add_replace_remove_with_pointer_escapes()
    {
        var result = JsonPatch.Apply(Obj(Pod), Arr("""
            [{"op":"add","path":"/metadata/labels/new","value":"v"},
             {"op":"replace","path":"/metadata/labels/a~1b","value":"z"},
             {"op":"remove","path":"/metadata/labels/t~0n"},
             {"op":"replace","path":"/spec/containers/1/image","value":"i9"}]
            """));

        Equal("""
            {"metadata":{"name":"p","labels":{"app":"a","a/b":"z","new":"v"}},
             "spec":{"containers":[{"name":"c0","image":"i0"},{"name":"c1","image":"i9"}]}}
            """, result);
    }

    [Fact]
    public void Add_to_arrays_by_index_dash_and_negative_index()
    {
        var result = JsonPatch.Apply(Obj("""{"l":[1,2,3]}"""), Arr("""
            [{"op":"add","path":"/l/0","value":0},
             {"op":"add","path":"/l/-","value":4},
             {"op":"add","path":"/l/-1","value":5}]
            """));

        Equal("""{"l":[0,1,2,3,4,5]}""", result);
    }

    [Fact]
    public void Move_copy_and_passing_tests()
    {
        var result = JsonPatch.Apply(Obj("""{"a":{"x":1},"b":[1,{"y":2}]}"""), Arr("""
            [{"op":"test","path":"/b/1","value":{"y":2}},
             {"op":"copy","from":"/a","path":"/c"},
             {"op":"move","from":"/b/0","path":"/a/z"},
             {"op":"test","path":"/missing","value":null}]
            """));

        Equal("""{"a":{"x":1,"z":1},"b":[{"y":2}],"c":{"x":1}}""", result);
    }

    [Fact]
    public void Replace_of_a_missing_member_adds_it_like_json_patch_v4()
    {
        Equal("""{"a":1,"b":2}""", JsonPatch.Apply(Obj("""{"a":1}"""), Arr("""[{"op":"replace","path":"/b","value":2}]""")));
    }

    [Fact]
    public void Does_not_modify_the_input()
    {
        var doc = Obj("""{"a":1}""");
        JsonPatch.Apply(doc, Arr("""[{"op":"add","path":"/b","value":2}]"""));
        Equal("""{"a":1}""", doc);
    }

    [Theory]
    [InlineData("""[{"op":"test","path":"/metadata/name","value":"q"}]""", "testing value /metadata/name failed: test failed")]
    [InlineData("""[{"op":"remove","path":"/metadata/nope"}]""", "error in remove for path: '/metadata/nope': Unable to remove nonexistent key: nope: missing value")]
    [InlineData("""[{"op":"add","path":"/nope/x","value":1}]""", "add operation does not apply: doc is missing path: \"/nope/x\": missing value")]
    [InlineData("""[{"op":"replace","path":"/spec/containers/5","value":1}]""", "replace operation does not apply: doc is missing key: /spec/containers/5: missing value")]
    [InlineData("""[{"op":"add","path":"/spec/containers/9","value":1}]""", "error in add for path: '/spec/containers/9': Unable to access invalid index: 9: invalid index referenced")]
    [InlineData("""[{"op":"add","path":"/spec/containers/x","value":1}]""", "error in add for path: '/spec/containers/x': value was not a proper array index: 'x': strconv.Atoi: parsing \"x\": invalid syntax")]
    [InlineData("""[{"op":"add","path":"","value":{}}]""", "add operation does not apply: doc is missing path: \"\": missing value")]
    [InlineData("""[{"op":"frob","path":"/a"}]""", "Unexpected kind: frob")]
    [InlineData("""[{"path":"/a"}]""", "Unexpected kind: unknown")]
    [InlineData("""[{"op":"add","value":1}]""", "add operation failed to decode path: missing value")]
    [InlineData("""[{"op":"move","path":"/a"}]""", "move operation failed to decode from: operation, missing from field: missing value")]
    public void Failing_operations_are_422_with_the_generic_message(string ops, string detail)
    {
        var e = Assert.Throws<PatchException>(() => JsonPatch.Apply(Obj(Pod), Arr(ops)));

        Assert.Equal(422, e.StatusCode);
        Assert.Equal("Invalid", e.Reason);
        Assert.Equal("the server rejected our request due to an error in our request", e.Message);
        Assert.Equal(detail, e.Detail);
    }

    [Fact]
    public void A_failing_operation_leaves_nothing_applied()
    {
        var doc = Obj("""{"a":1}""");
        Assert.Throws<PatchException>(() => JsonPatch.Apply(doc, Arr("""[{"op":"add","path":"/b","value":2},{"op":"test","path":"/a","value":2}]""")));
        Equal("""{"a":1}""", doc);
    }

    [Fact]
    public void An_operation_that_is_not_an_object_is_a_bad_request()
    {
        var e = Assert.Throws<PatchException>(() => JsonPatch.Apply(Obj("{}"), Arr("""["add"]""")));

        Assert.Equal(400, e.StatusCode);
        Assert.Equal("BadRequest", e.Reason);
        Assert.Equal("json: cannot unmarshal string into Go value of type jsonpatch.Operation", e.Message);
    }
}
