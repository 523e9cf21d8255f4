using System.Collections.Concurrent;
using System.Collections;
using System.Text.Json.Nodes;
using System.Text.Json;
using KubeRescue.Lab.ApiServer.Errors;
using KubeRescue.Lab.ApiServer.Http;
using KubeRescue.Lab.ApiServer.OpenApi;
using k8s.Models;

namespace KubeRescue.Lab.ApiServer.Objects;

/// <summary>
/// What the real server's decode into its Go types rejects: a JSON value of the wrong type for its field.
/// The lab keeps objects as raw JSON, so it checks them against the official client's models instead, and
/// answers as upstream does: <c>Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal number
/// into Go struct field ObjectMeta.metadata.name of type string</c>. This also lets every later reader of the
/// object trust a field's JSON type.
/// </summary>
public static class TypeCheck
{
    static readonly ConcurrentDictionary<Type, IReadOnlyDictionary<string, Type>> Properties = new();

    /// <exception cref="ApiException">400 BadRequest at the first value of the wrong type.</exception>
    public static void Check(JsonObject obj, Type model, string kind, string version)
    {
        if (FirstError(obj, model) is { } error)
            throw ApiException.BadRequest($"{kind} in version \"{version}\" cannot be handled as a {kind}: {error}");
    }

    /// <summary>The Go decoder's message for the first mistyped value, or null.</summary>
    public static string? FirstError(JsonObject obj, Type model) => CheckObject(obj, model, "");

    static string? CheckObject(JsonObject obj, Type model, string path)
    {
        var properties = Properties.GetOrAdd(model, m => ModelNames.JsonProperties(m).ToDictionary(p => p.JsonName, p => p.Property.PropertyType));
        foreach (var (name, value) in obj)
        {
            if (!properties.TryGetValue(name, out var type)) continue;
            var childPath = path.Length == 0 ? name : $"{path}.{name}";
            if (CheckValue(value, type, model, childPath) is { } error) return error;
        }
        return null;
    }

    static string? CheckValue(JsonNode? value, Type type, Type owner, string path)
    {
        if (value is null) return null; // null decodes to the zero value
        type = Nullable.GetUnderlyingType(type) ?? type;
        var kind = value.GetValueKind();
        string Mismatch(string? detail = null) =>
            $"json: cannot unmarshal {JsonKind(kind)}{detail} into Go struct field {GoName(owner)}.{path} of type {GoType(type)}";

        if (type == typeof(string)) return kind == JsonValueKind.String ? null : Mismatch();
        if (type == typeof(bool)) return kind is JsonValueKind.True or JsonValueKind.False ? null : Mismatch();
        if (type == typeof(int) || type == typeof(long))
        {
            if (kind != JsonValueKind.Number) return Mismatch();
            var fits = TryGetInteger(value.AsValue(), out var n) && (type == typeof(long) || n is >= int.MinValue and <= int.MaxValue);
            return fits ? null : Mismatch($" {value.ToJsonString()}");
        }
        if (type == typeof(double) || type == typeof(float)) return kind == JsonValueKind.Number ? null : Mismatch();
        if (type == typeof(DateTime) || type == typeof(byte[])) return kind == JsonValueKind.String ? null : Mismatch();
        if (type == typeof(IntOrString) || type == typeof(ResourceQuantity))
            return kind is JsonValueKind.String or JsonValueKind.Number ? null : Mismatch();
        if (type.IsGenericType && typeof(IDictionary).IsAssignableFrom(type) || IsGenericDictionary(type))
        {
            if (value is not JsonObject map) return Mismatch();
            var valueType = type.GetGenericArguments()[^1];
            foreach (var (key, item) in map)
                if (CheckValue(item, valueType, owner, $"{path}.{key}") is { } error) return error;
            return null;
        }
        if (type != typeof(string) && typeof(IEnumerable).IsAssignableFrom(type) && type.IsGenericType)
        {
            if (value is not JsonArray list) return Mismatch();
            var elementType = type.GetGenericArguments()[0];
            for (var i = 0; i < list.Count; i++)
                if (CheckValue(list[i], elementType, owner, $"{path}[{i}]") is { } error) return error;
            return null;
        }
        if (ModelNames.IsModel(type)) return value is JsonObject o ? CheckObject(o, type, path) : Mismatch();
        return null; // opaque values (raw extensions, JSON schema props) take anything
    }

    /// <summary>An integral number, whether parsed (element-backed) or set in memory as int or long.</summary>
    static bool TryGetInteger(JsonValue value, out long n)
    {
        if (value.TryGetValue(out n)) return true;
        if (value.TryGetValue(out int i)) { n = i; return true; }
        return false;
    }

    static bool IsGenericDictionary(Type t) =>
        t.IsGenericType && t.GetGenericTypeDefinition() is var d && (d == typeof(IDictionary<,>) || d == typeof(Dictionary<,>) || d == typeof(IReadOnlyDictionary<,>));

    static string JsonKind(JsonValueKind kind) => kind switch
    {
        JsonValueKind.String => "string",
        JsonValueKind.Number => "number",
        JsonValueKind.True or JsonValueKind.False => "bool",
        JsonValueKind.Array => "array",
        _ => "object",
    };

    /// <summary>The Go name of a model (v1.PodSpec → PodSpec, as the decoder names the struct).</summary>
    static string GoName(Type model) => ModelNames.DefinitionName(model).Split('.')[^1];

    static string GoType(Type type)
    {
        if (type == typeof(string)) return "string";
        if (type == typeof(bool)) return "bool";
        if (type == typeof(int)) return "int32";
        if (type == typeof(long)) return "int64";
        if (type == typeof(double) || type == typeof(float)) return "float64";
        if (type == typeof(byte[])) return "[]uint8";
        if (type == typeof(DateTime)) return "v1.Time";
        if (type == typeof(IntOrString)) return "intstr.IntOrString";
        if (type == typeof(ResourceQuantity)) return "resource.Quantity";
        if (IsGenericDictionary(type)) return $"map[string]{GoType(Nullable.GetUnderlyingType(type.GetGenericArguments()[^1]) ?? type.GetGenericArguments()[^1])}";
        if (type.IsGenericType && typeof(IEnumerable).IsAssignableFrom(type)) return $"[]{GoType(type.GetGenericArguments()[0])}";
        if (ModelNames.IsModel(type))
        {
            var parts = ModelNames.DefinitionName(type).Split('.');
            return $"{parts[^2]}.{parts[^1]}";
        }
        return type.Name;
    }
}
