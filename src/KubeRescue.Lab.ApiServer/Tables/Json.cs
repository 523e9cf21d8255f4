using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace KubeRescue.Lab.ApiServer.Tables;

// Tolerant readers over raw objects: an absent or mistyped field reads as Go's zero value,
// which is what the printers see for an unset field after decoding.
internal static class Json
{
    public static JsonNode? At(JsonNode? node, params string[] path)
    {
        foreach (var key in path)
            node = node is JsonObject o && o.TryGetPropertyValue(key, out var next) ? next : null;
        return node;
    }

    public static JsonObject? Obj(JsonNode? node, params string[] path) => At(node, path) as JsonObject;

    public static IEnumerable<JsonObject> Objs(JsonNode? node, params string[] path) =>
        At(node, path) is JsonArray a ? a.OfType<JsonObject>() : [];

    public static int Count(JsonNode? node, params string[] path) => At(node, path) switch
    {
        JsonArray a => a.Count,
        JsonObject o => o.Count,
        _ => 0,
    };

    public static string Str(JsonNode? node, params string[] path) =>
        At(node, path) is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : "";

    public static long Int(JsonNode? node, params string[] path) =>
        At(node, path) is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue(out long l) ? l : 0;

    public static bool? Bool(JsonNode? node, params string[] path) => At(node, path) is JsonValue v
        ? v.GetValueKind() switch { JsonValueKind.True => true, JsonValueKind.False => false, _ => null }
        : null;

    public static bool Has(JsonNode? node, params string[] path) => At(node, path) is not null;

    /// <summary>A metav1.Time or MicroTime; null when unset (JSON null, absent, or Go's zero time).</summary>
    public static DateTimeOffset? Time(JsonNode? node, params string[] path)
    {
        var s = Str(node, path);
        if (s.Length == 0 || !DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t))
            return null;
        return t == DateTimeOffset.MinValue ? null : t;
    }

    /// <summary>An IntOrString as Go's IntOrString.String() prints it.</summary>
    public static string? IntOrString(JsonNode? node, params string[] path) => At(node, path) switch
    {
        JsonValue v when v.GetValueKind() == JsonValueKind.Number && v.TryGetValue(out long l) =>
            l.ToString(CultureInfo.InvariantCulture),
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        _ => null,
    };

    public static IEnumerable<KeyValuePair<string, string>> StringMap(JsonNode? node, params string[] path) =>
        Obj(node, path) is { } o
            ? o.Select(kv => new KeyValuePair<string, string>(kv.Key, kv.Value is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : ""))
            : [];
}
