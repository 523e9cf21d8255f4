using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace KubeRescue.Lab.ApiServer.Patching;

/// <summary>The Go type a decoded JSON value has on the server (maps, slices, and PreserveInts numbers).</summary>
internal enum GoKind
{
    Nil,
    Map,
    Slice,
    String,
    Int64,
    Float64,
    Bool,
}

/// <summary>
/// Views JSON nodes the way the API server's Go code sees them after decoding: typed comparisons and
/// fmt's %v / %s rendering, so errors read like the real server's.
/// </summary>
internal static class GoValues
{
    public static GoKind KindOf(JsonNode? node) => node switch
    {
        null => GoKind.Nil,
        JsonObject => GoKind.Map,
        JsonArray => GoKind.Slice,
        JsonValue value => value.GetValueKind() switch
        {
            JsonValueKind.String => GoKind.String,
            JsonValueKind.True or JsonValueKind.False => GoKind.Bool,
            JsonValueKind.Number => IsInt64(value) ? GoKind.Int64 : GoKind.Float64,
            _ => GoKind.Nil,
        },
        _ => GoKind.Nil,
    };

    /// <summary>reflect.TypeOf(v).String() of a decoded value.</summary>
    public static string TypeName(JsonNode? node) => KindOf(node) switch
    {
        GoKind.Map => "map[string]interface {}",
        GoKind.Slice => "[]interface {}",
        GoKind.String => "string",
        GoKind.Int64 => "int64",
        GoKind.Float64 => "float64",
        GoKind.Bool => "bool",
        _ => "%!s(<nil>)",
    };

    /// <summary>Go's == on two interface{} values holding scalars; maps and slices never compare equal.</summary>
    public static bool ScalarEquals(JsonNode? left, JsonNode? right)
    {
        var kind = KindOf(left);
        if (kind != KindOf(right))
        {
            return false;
        }

        return kind switch
        {
            GoKind.Nil => true,
            GoKind.String => left!.GetValue<string>() == right!.GetValue<string>(),
            GoKind.Bool => left!.GetValue<bool>() == right!.GetValue<bool>(),
            GoKind.Int64 => ((JsonValue)left!).TryGetValue(out long l) && ((JsonValue)right!).TryGetValue(out long r) && l == r,
            GoKind.Float64 => AsDouble(left!) == AsDouble(right!),
            _ => false,
        };
    }

    /// <summary>fmt's %v.</summary>
    public static string FormatV(JsonNode? node)
    {
        var builder = new StringBuilder();
        AppendV(builder, node);
        return builder.ToString();
    }

    /// <summary>fmt's %s, which Go only renders plainly for strings.</summary>
    public static string FormatS(JsonNode? node) => KindOf(node) switch
    {
        GoKind.String => node!.GetValue<string>(),
        GoKind.Nil => "%!s(<nil>)",
        _ => $"%!s({TypeName(node)}={FormatV(node)})",
    };

    private static void AppendV(StringBuilder builder, JsonNode? node)
    {
        switch (KindOf(node))
        {
            case GoKind.Map:
                builder.Append("map[");
                var first = true;
                // fmt prints map keys sorted.
                foreach (var (key, value) in ((JsonObject)node!).OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    builder.Append(first ? "" : " ").Append(key).Append(':');
                    AppendV(builder, value);
                    first = false;
                }

                builder.Append(']');
                break;
            case GoKind.Slice:
                builder.Append('[');
                var array = (JsonArray)node!;
                for (var i = 0; i < array.Count; i++)
                {
                    if (i > 0)
                    {
                        builder.Append(' ');
                    }

                    AppendV(builder, array[i]);
                }

                builder.Append(']');
                break;
            case GoKind.String:
                builder.Append(node!.GetValue<string>());
                break;
            case GoKind.Bool:
                builder.Append(node!.GetValue<bool>() ? "true" : "false");
                break;
            case GoKind.Int64:
                builder.Append(node!.ToJsonString());
                break;
            case GoKind.Float64:
                builder.Append(FormatFloat(AsDouble(node!)));
                break;
            default:
                builder.Append("<nil>");
                break;
        }
    }

    // %v of a float64 is strconv's shortest 'g': exponent form when the exponent is < -4 or >= 6.
    private static string FormatFloat(double value)
    {
        var scientific = value.ToString("E16", CultureInfo.InvariantCulture);
        var exponent = int.Parse(scientific[(scientific.IndexOf('E') + 1)..], CultureInfo.InvariantCulture);
        var shortest = value.ToString("R", CultureInfo.InvariantCulture);
        if (exponent >= -4 && exponent < 6)
        {
            return shortest;
        }

        var digits = shortest.TrimStart('-').Split('E')[0].Replace(".", "", StringComparison.Ordinal).TrimStart('0').TrimEnd('0');
        var mantissa = digits.Length > 1 ? $"{digits[0]}.{digits[1..]}" : digits;
        return $"{(value < 0 ? "-" : "")}{mantissa}e{(exponent < 0 ? '-' : '+')}{Math.Abs(exponent):00}";
    }

    private static bool IsInt64(JsonValue value)
    {
        var text = value.ToJsonString();
        return text.IndexOfAny(['.', 'e', 'E']) < 0 && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _);
    }

    private static double AsDouble(JsonNode node) =>
        double.Parse(node.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture);
}
