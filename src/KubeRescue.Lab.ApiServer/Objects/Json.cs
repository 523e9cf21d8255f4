using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace KubeRescue.Lab.ApiServer.Objects;

/// <summary>
/// Typed readers over raw objects, the one way the API server reads a field: a path of member names from a node, and
/// null where a member is absent or of another type. Where Go would read an unset field as its zero value (the
/// printers), the caller says so with <c>?? ""</c> or <c>?? 0</c>.
/// </summary>
internal static class Json
{
    public static JsonNode? At(JsonNode? node, params string[] path)
    {
        foreach (var key in path)
            node = node is JsonObject o && o.TryGetPropertyValue(key, out var next) ? next : null;
        return node;
    }

    public static JsonObject? Obj(JsonNode? node, params string[] path) => At(node, path) as JsonObject;

    public static JsonArray? Arr(JsonNode? node, params string[] path) => At(node, path) as JsonArray;

    /// <summary>The objects of an array; none when it is absent.</summary>
    public static IEnumerable<JsonObject> Objs(JsonNode? node, params string[] path) => Arr(node, path)?.OfType<JsonObject>() ?? [];

    /// <summary>The members of an object or the elements of an array; 0 for anything else.</summary>
    public static int Count(JsonNode? node, params string[] path) => At(node, path) switch
    {
        JsonArray a => a.Count,
        JsonObject o => o.Count,
        _ => 0,
    };

    public static bool Has(JsonNode? node, params string[] path) => At(node, path) is not null;

    public static string? Str(JsonNode? node, params string[] path) =>
        At(node, path) is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

    public static long? Long(JsonNode? node, params string[] path) => AsLong(At(node, path));

    /// <summary>An integral JSON number, whatever CLR type the node was built from; null otherwise.</summary>
    public static long? AsLong(JsonNode? node) =>
        node is JsonValue v && v.GetValueKind() == JsonValueKind.Number
        && long.TryParse(v.ToJsonString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n)
            ? n
            : null;

    public static bool? Bool(JsonNode? node, params string[] path) => At(node, path) is JsonValue v
        ? v.GetValueKind() switch { JsonValueKind.True => true, JsonValueKind.False => false, _ => null }
        : null;

    /// <summary>
    /// A string, or an integer's digits: how a field selector compares a field and how Go's IntOrString.String()
    /// prints one; null for anything else.
    /// </summary>
    public static string? Text(JsonNode? node, params string[] path) =>
        Str(node, path) ?? Long(node, path)?.ToString(CultureInfo.InvariantCulture);

    /// <summary>A metav1.Time or MicroTime; null when unset (JSON null, absent, or Go's zero time).</summary>
    public static DateTimeOffset? Time(JsonNode? node, params string[] path)
    {
        var s = Str(node, path);
        if (string.IsNullOrEmpty(s) || !DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t))
            return null;
        return t == DateTimeOffset.MinValue ? null : t;
    }

    /// <summary>The members of an object as strings (a Go map[string]string), in document order; a value of another type as its JSON.</summary>
    public static IEnumerable<(string Key, string Value)> StringMap(JsonNode? node, params string[] path) =>
        (Obj(node, path) ?? []).Select(p => (p.Key, p.Value is JsonValue v && v.TryGetValue<string>(out var s) ? s : p.Value?.ToJsonString() ?? ""));

    /// <summary>
    /// Equality in the sense of apimachinery's Semantic.DeepEqual on the decoded value: member order is
    /// irrelevant and null, absent, "", 0, false, [] and {} are all the zero value.
    /// </summary>
    public static bool SemanticEquals(JsonNode? a, JsonNode? b)
    {
        if (IsZero(a) || IsZero(b)) return IsZero(a) && IsZero(b);
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

    static bool IsZero(JsonNode? n) => n switch
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
