using System.Text.Json.Nodes;

namespace KubeRescue.Lab.Tests.Patching;

internal static class Json
{
    public static JsonObject Obj(string json) => JsonNode.Parse(json)!.AsObject();

    public static JsonArray Arr(string json) => JsonNode.Parse(json)!.AsArray();

    /// <summary>Asserts semantic equality (member order ignored, array order significant).</summary>
    public static void Equal(string expected, JsonNode? actual)
    {
        var expectedNode = JsonNode.Parse(expected);
        Assert.True(JsonNode.DeepEquals(expectedNode, actual),
            $"expected: {expectedNode?.ToJsonString()}\nactual:   {actual?.ToJsonString()}");
    }
}
