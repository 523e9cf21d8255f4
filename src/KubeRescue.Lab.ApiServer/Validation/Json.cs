using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace KubeRescue.Lab.ApiServer.Validation;

/// <summary>Small typed readers over raw Kubernetes JSON.</summary>
internal static class Json
{
    public static string? Str(JsonNode? node, string key) =>
        node is JsonObject o && o[key] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    public static long? Long(JsonNode? node, string key) => node is JsonObject o ? AsLong(o[key]) : null;

    /// <summary>An integral JSON number, whatever CLR type the node was built from; null otherwise.</summary>
    public static long? AsLong(JsonNode? node) =>
        node is JsonValue v && v.GetValueKind() == JsonValueKind.Number
        && long.TryParse(v.ToJsonString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n)
            ? n
            : null;

    public static JsonObject? Obj(JsonNode? node, string key) => node is JsonObject o ? o[key] as JsonObject : null;

    public static JsonArray? Arr(JsonNode? node, string key) => node is JsonObject o ? o[key] as JsonArray : null;

    /// <summary>The members of a JSON object as strings (a Go map[string]string), in document order.</summary>
    public static IEnumerable<(string Key, string Value)> StringMap(JsonObject? map) =>
        (map ?? []).Select(p => (p.Key, p.Value is JsonValue v && v.TryGetValue<string>(out var s) ? s : p.Value?.ToJsonString() ?? ""));

    /// <summary>
    /// Equality in the sense of apimachinery's Semantic.DeepEqual on the decoded value: member order is
    /// irrelevant and null, absent, "", 0, false, [] and {} are all the zero value.
    /// </summary>
    public static bool SemanticEquals(JsonNode? a, JsonNode? b)
    {
        if (IsZero(a) || IsZero(b))
        {
            return IsZero(a) && IsZero(b);
        }
        switch (a)
        {
            case JsonObject oa when b is JsonObject ob:
                var keys = oa.Select(p => p.Key).Union(ob.Select(p => p.Key));
                return keys.All(k => SemanticEquals(oa[k], ob[k]));
            case JsonArray xa when b is JsonArray xb:
                return xa.Count == xb.Count && xa.Zip(xb).All(p => SemanticEquals(p.First, p.Second));
            default:
                return JsonNode.DeepEquals(a, b);
        }
    }

    private static bool IsZero(JsonNode? n) => n switch
    {
        null or JsonArray { Count: 0 } or JsonObject { Count: 0 } => true,
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.String => v.GetValue<string>().Length == 0,
            JsonValueKind.False or JsonValueKind.Null => true,
            JsonValueKind.Number => v.TryGetValue<double>(out var d) && d == 0,
            _ => false,
        },
        _ => false,
    };
}
