using System.Globalization;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace KubeRescue.Rendering;

/// <summary>
/// A YAML node as the JSON kubectl makes of it (sigs.k8s.io/yaml over go-yaml v2, YAML 1.1): a plain scalar is
/// null, a boolean or a number when it reads as one, a quoted or block scalar is always a string. The client's
/// models then come from <c>KubernetesJson</c>: no reflection-based YAML serializer, so it works in the native build.
/// </summary>
internal static class YamlJson
{
    public static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode mapping => Object(mapping),
        YamlSequenceNode sequence => new JsonArray([.. sequence.Children.Select(ToJson)]),
        YamlScalarNode scalar => Scalar(scalar),
        _ => throw new YamlException(node.Start, node.End, $"unexpected YAML node {node.NodeType}"),
    };

    static JsonObject Object(YamlMappingNode mapping)
    {
        var obj = new JsonObject();
        foreach (var (key, value) in mapping.Children)
        {
            if (key is not YamlScalarNode { Value: { } name }) throw new YamlException(key.Start, key.End, "a mapping key that is not a scalar has no JSON form");
            // A repeated key: the last one wins, as in go-yaml's decoding into a map.
            obj[name] = ToJson(value);
        }
        return obj;
    }

    static JsonNode? Scalar(YamlScalarNode scalar)
    {
        var text = scalar.Value ?? "";
        if (scalar.Style != ScalarStyle.Plain || IsString(scalar.Tag)) return JsonValue.Create(text);
        switch (text)
        {
            case "" or "~" or "null" or "Null" or "NULL":
                return null;
            case "y" or "Y" or "yes" or "Yes" or "YES" or "on" or "On" or "ON" or "true" or "True" or "TRUE":
                return JsonValue.Create(true);
            case "n" or "N" or "no" or "No" or "NO" or "off" or "Off" or "OFF" or "false" or "False" or "FALSE":
                return JsonValue.Create(false);
        }
        if (Integer(text.Replace("_", "", StringComparison.Ordinal)) is { } integer) return JsonValue.Create(integer);
        if (LooksLikeFloat(text) && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number))
            return JsonValue.Create(number);
        return JsonValue.Create(text);
    }

    /// <summary><c>!!str</c>, or YAML's non-specific <c>!</c>, which makes even a plain scalar a string.</summary>
    static bool IsString(TagName tag) => tag.IsNonSpecific ? tag.ToString() == "!" : !tag.IsEmpty && tag.Value == "tag:yaml.org,2002:str";

    /// <summary>go's strconv.ParseInt with base 0, as go-yaml v2 uses it: 0x hex, 0b binary, a leading 0 octal, else decimal.</summary>
    static long? Integer(string text)
    {
        var negative = text.StartsWith('-');
        var digits = text.TrimStart('-', '+');
        if (digits.Length == 0 || text.Length - digits.Length > 1) return null;
        var (radix, body) = digits switch
        {
            _ when digits.StartsWith("0x", StringComparison.OrdinalIgnoreCase) => (16, digits[2..]),
            _ when digits.StartsWith("0b", StringComparison.OrdinalIgnoreCase) => (2, digits[2..]),
            _ when digits.StartsWith("0o", StringComparison.OrdinalIgnoreCase) => (8, digits[2..]),
            _ when digits.Length > 1 && digits[0] == '0' => (8, digits[1..]),
            _ => (10, digits),
        };
        if (body.Length == 0) return null;
        long value = 0;
        foreach (var c in body)
        {
            var digit = c switch { >= '0' and <= '9' => c - '0', >= 'a' and <= 'f' => c - 'a' + 10, >= 'A' and <= 'F' => c - 'A' + 10, _ => 99 };
            if (digit >= radix) return null;
            try { value = checked(value * radix + digit); }
            catch (OverflowException) { return null; }
        }
        return negative ? -value : value;
    }

    /// <summary>go-yaml v2's float form: digits with an optional fraction and exponent (not "1e" nor a bare ".").</summary>
    static bool LooksLikeFloat(string text)
    {
        var s = text.TrimStart('-', '+');
        if (text.Length - s.Length > 1 || s.Length == 0) return false;
        var i = 0;
        var mantissa = 0;
        while (i < s.Length && char.IsAsciiDigit(s[i])) { i++; mantissa++; }
        if (i < s.Length && s[i] == '.')
        {
            i++;
            while (i < s.Length && char.IsAsciiDigit(s[i])) { i++; mantissa++; }
        }
        if (mantissa == 0) return false;
        if (i < s.Length && s[i] is 'e' or 'E')
        {
            i++;
            if (i < s.Length && s[i] is '-' or '+') i++;
            var exponent = 0;
            while (i < s.Length && char.IsAsciiDigit(s[i])) { i++; exponent++; }
            if (exponent == 0) return false;
        }
        return i == s.Length;
    }
}
