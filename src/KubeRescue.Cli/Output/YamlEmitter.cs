using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace KubeRescue.Cli.Output;

/// <summary>
/// JSON to YAML, block style as kubectl prints it. A small emitter rather than a YAML library's serializer: the
/// documents are already JSON, and it stays usable in a trimmed, native build.
/// </summary>
public static class YamlEmitter
{
    public static string Emit(JsonNode? node)
    {
        var sb = new StringBuilder();
        switch (node)
        {
            case JsonObject o when o.Count > 0: WriteObject(sb, o, 0); break;
            case JsonArray a when a.Count > 0: WriteArray(sb, a, 0); break;
            default: sb.Append(Scalar(node)).Append('\n'); break;
        }
        return sb.ToString();
    }

    static void WriteObject(StringBuilder sb, JsonObject obj, int indent)
    {
        foreach (var (key, value) in obj)
        {
            sb.Append(' ', indent).Append(Key(key)).Append(':');
            WriteValue(sb, value, indent, inList: false);
        }
    }

    static void WriteArray(StringBuilder sb, JsonArray array, int indent)
    {
        foreach (var item in array)
        {
            sb.Append(' ', indent).Append('-');
            if (item is JsonObject { Count: > 0 } o)
            {
                // The first key goes on the dash's line, the rest under it.
                var first = true;
                foreach (var (key, value) in o)
                {
                    if (first) sb.Append(' ');
                    else sb.Append(' ', indent + 2);
                    first = false;
                    sb.Append(Key(key)).Append(':');
                    WriteValue(sb, value, indent + 2, inList: false);
                }
            }
            else WriteValue(sb, item, indent, inList: true);
        }
    }

    static void WriteValue(StringBuilder sb, JsonNode? value, int indent, bool inList)
    {
        switch (value)
        {
            case JsonObject { Count: > 0 } o:
                sb.Append('\n');
                WriteObject(sb, o, indent + 2);
                break;
            case JsonArray { Count: > 0 } a:
                sb.Append('\n');
                // kubectl's style: a list under a key is not indented further.
                WriteArray(sb, a, inList ? indent + 2 : indent);
                break;
            default:
                sb.Append(' ').Append(Scalar(value)).Append('\n');
                break;
        }
    }

    static string Key(string key) => NeedsQuotes(key) ? Quote(key) : key;

    static string Scalar(JsonNode? node) => node switch
    {
        null => "null",
        JsonObject => "{}",
        JsonArray => "[]",
        JsonValue v when v.GetValueKind() == JsonValueKind.String => String(v.GetValue<string>()),
        JsonValue v when v.GetValueKind() is JsonValueKind.True or JsonValueKind.False => v.GetValue<bool>() ? "true" : "false",
        _ => node.ToJsonString(),
    };

    static string String(string s) => NeedsQuotes(s) ? Quote(s) : s;

    /// <summary>Quotes what a YAML reader would otherwise take for another type or structure.</summary>
    static bool NeedsQuotes(string s) =>
        s.Length == 0 || s.Trim() != s || s.IndexOfAny([':', '#', '\n', '"', '\'', '{', '}', '[', ']', ',', '&', '*', '!', '|', '>', '%', '@', '`', '\t']) >= 0
        || s[0] is '-' or '?' || s.ToLowerInvariant() is "true" or "false" or "yes" or "no" or "on" or "off" or "null" or "~" or "y" or "n"
        || double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out _);

    /// <summary>A JSON string, which YAML reads as a double-quoted scalar.</summary>
    static string Quote(string s) => JsonValue.Create(s).ToJsonString();
}
