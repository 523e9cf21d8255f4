using System.Reflection;
using System.Text.Json.Nodes;
using k8s.Models;

namespace KubeRescue.Lab.ApiServer.OpenApi;

/// <summary>
/// Builds OpenAPI v3 component schemas from KubernetesClient models, shaped like the real server's:
/// references to other definitions are wrapped in a one-element allOf, top-level kinds carry
/// x-kubernetes-group-version-kind, and properties carry the strategic-merge patch extensions.
/// </summary>
internal sealed class SchemaGenerator(PatchMetadataLookup? patchMetadata)
{
    private const string RefPrefix = "#/components/schemas/";

    private readonly Dictionary<string, JsonObject> _definitions = new(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, JsonObject> Definitions => _definitions;

    public static JsonObject Ref(string definitionName) => new() { ["$ref"] = RefPrefix + definitionName };

    /// <summary>Adds the definition of <paramref name="model"/> and everything it references; returns its name.</summary>
    public string Add(Type model)
    {
        var name = ModelNames.DefinitionName(model);
        if (_definitions.ContainsKey(name)) return name;
        var schema = new JsonObject();
        // Registered before the properties are walked so that recursive types (JSONSchemaProps) terminate.
        _definitions[name] = schema;

        var properties = new JsonObject();
        var required = new JsonArray();
        foreach (var (jsonName, property) in ModelNames.JsonProperties(model).OrderBy(p => p.JsonName, StringComparer.Ordinal))
        {
            var propertySchema = PropertySchema(model, jsonName, property.PropertyType);
            AddPatchExtensions(propertySchema, model, jsonName);
            properties[jsonName] = propertySchema;
            // The client generator makes exactly the required scalars non-nullable; required references cannot be told apart.
            if (property.PropertyType.IsValueType && Nullable.GetUnderlyingType(property.PropertyType) is null)
                required.Add(jsonName);
        }
        if (properties.Count > 0) schema["properties"] = properties;
        if (required.Count > 0) schema["required"] = required;
        schema["type"] = "object";
        if (model.GetCustomAttribute<KubernetesEntityAttribute>() is { } entity && !string.IsNullOrEmpty(entity.Kind))
        {
            schema["x-kubernetes-group-version-kind"] = new JsonArray(new JsonObject
            {
                ["group"] = entity.Group,
                ["kind"] = entity.Kind,
                ["version"] = entity.ApiVersion,
            });
        }
        return name;
    }

    /// <summary>Adds one of the fixed apimachinery definitions (Patch, Time, ...) if not yet present.</summary>
    public string AddWellKnown(string name)
    {
        if (!_definitions.ContainsKey(name)) _definitions[name] = WellKnown(name);
        return name;
    }

    private JsonObject PropertySchema(Type declaringType, string jsonName, Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(string)) return new JsonObject { ["type"] = "string" };
        if (type == typeof(bool)) return new JsonObject { ["type"] = "boolean" };
        if (type == typeof(int)) return new JsonObject { ["type"] = "integer", ["format"] = "int32" };
        if (type == typeof(long)) return new JsonObject { ["type"] = "integer", ["format"] = "int64" };
        if (type == typeof(double)) return new JsonObject { ["type"] = "number", ["format"] = "double" };
        if (type == typeof(byte[])) return new JsonObject { ["type"] = "string", ["format"] = "byte" };
        // Opaque JSON (RawExtension, FieldsV1, JSON): any object, never checked field by field.
        if (type == typeof(object)) return new JsonObject { ["type"] = "object", ["x-kubernetes-preserve-unknown-fields"] = true };
        if (type == typeof(DateTime) || type == typeof(DateTimeOffset))
            return Wrap(AddWellKnown(ModelNames.IsMicroTime(declaringType, jsonName) ? ModelNames.MicroTime : ModelNames.Time));
        if (type == typeof(IntOrString)) return Wrap(AddWellKnown(ModelNames.IntOrString));
        if (type == typeof(ResourceQuantity)) return Ref(AddWellKnown(ModelNames.Quantity));
        if (type == typeof(V1Patch)) return Wrap(AddWellKnown(ModelNames.Patch));
        if (GenericInterfaceArguments(type, typeof(IDictionary<,>)) is [var keyType, var valueType] && keyType == typeof(string))
            return new JsonObject { ["additionalProperties"] = ItemSchema(declaringType, jsonName, valueType), ["type"] = "object" };
        if (GenericInterfaceArguments(type, typeof(IEnumerable<>)) is [var itemType])
            return new JsonObject { ["items"] = ItemSchema(declaringType, jsonName, itemType), ["type"] = "array" };
        if (ModelNames.IsModel(type)) return Wrap(Add(type));
        throw new NotSupportedException($"{declaringType.Name}.{jsonName}: no OpenAPI mapping for {type}");
    }

    // Items and map values are plain $refs upstream, except that struct-valued items carry an empty default.
    private JsonObject ItemSchema(Type declaringType, string jsonName, Type itemType)
    {
        var schema = PropertySchema(declaringType, jsonName, itemType);
        if (ModelNames.IsModel(Nullable.GetUnderlyingType(itemType) ?? itemType)) schema["default"] = new JsonObject();
        return schema;
    }

    private static Type[]? GenericInterfaceArguments(Type type, Type openInterface) =>
        (type.IsInterface ? type.GetInterfaces().Prepend(type) : type.GetInterfaces())
            .FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == openInterface)
            ?.GetGenericArguments();

    private static JsonObject Wrap(string definitionName) => new() { ["allOf"] = new JsonArray(Ref(definitionName)) };

    private void AddPatchExtensions(JsonObject schema, Type model, string jsonName)
    {
        if (patchMetadata?.Invoke(model, jsonName) is not { } meta) return;
        var isList = schema["type"]?.GetValue<string>() == "array";
        // Upstream pairs the merge strategy with a list type: keyed lists are maps, unkeyed merged lists are sets.
        if (isList && meta.Strategy.Split(',').Contains("merge"))
        {
            if (meta.MergeKey is { } key)
            {
                schema["x-kubernetes-list-map-keys"] = new JsonArray(key);
                schema["x-kubernetes-list-type"] = "map";
            }
            else
            {
                schema["x-kubernetes-list-type"] = "set";
            }
        }
        if (meta.MergeKey is { } mergeKey) schema["x-kubernetes-patch-merge-key"] = mergeKey;
        schema["x-kubernetes-patch-strategy"] = meta.Strategy;
    }

    private static JsonObject WellKnown(string name) => name switch
    {
        ModelNames.Time or ModelNames.MicroTime => new JsonObject { ["format"] = "date-time", ["type"] = "string" },
        ModelNames.IntOrString => new JsonObject
        {
            ["format"] = "int-or-string",
            ["type"] = "string",
            ["x-kubernetes-int-or-string"] = true,
        },
        ModelNames.Quantity => new JsonObject
        {
            ["oneOf"] = new JsonArray(new JsonObject { ["type"] = "string" }, new JsonObject { ["type"] = "number" }),
        },
        ModelNames.Patch => new JsonObject { ["type"] = "object" },
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "not a well-known definition"),
    };
}
