using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace KubeRescue.Lab.ApiServer.OpenApi;

/// <summary>The fieldValidation query parameter of POST, PUT and PATCH.</summary>
public enum FieldValidationDirective
{
    Ignore,
    Warn,
    Strict,
}

/// <summary>What the server does with the unknown and duplicate fields of one request body.</summary>
/// <param name="ErrorMessage">Set for Strict: the message of the 400 BadRequest Status; the request fails.</param>
/// <param name="Warnings">Set for Warn: the values of the Warning headers; the request proceeds.</param>
public sealed record FieldValidationOutcome(string? ErrorMessage, IReadOnlyList<string> Warnings);

/// <summary>
/// Server-side field validation as kube-apiserver does it for built-in types: unknown and duplicate
/// JSON fields are found while decoding, reported with dotted paths and list indices
/// (<c>spec.template.spec.containers[0].foo</c>), de-duplicated and capped at 100 like sigs.k8s.io/json.
/// </summary>
public static class FieldValidation
{
    private const int MaxErrors = 100;

    /// <summary>
    /// Parses the query value; values are case-sensitive. Absent or empty means Warn, the server default
    /// since 1.25 (kubectl always sends the parameter, Strict unless told otherwise). Null for an unsupported value.
    /// </summary>
    public static FieldValidationDirective? Parse(string? value) => value switch
    {
        null or "" or "Warn" => FieldValidationDirective.Warn,
        "Strict" => FieldValidationDirective.Strict,
        "Ignore" => FieldValidationDirective.Ignore,
        _ => null,
    };

    /// <summary>Paths of the fields of <paramref name="obj"/> that <paramref name="model"/> does not declare, in document order.</summary>
    public static IReadOnlyList<string> UnknownFields(JsonObject obj, Type model)
    {
        var found = new List<string>();
        Walk(obj, model, "", found);
        return found.Distinct().Take(MaxErrors).ToList();
    }

    /// <summary>Paths of keys that occur more than once in the same JSON object, in document order.</summary>
    public static IReadOnlyList<string> DuplicateFields(ReadOnlySpan<byte> json) =>
        StrictErrors(json, model: null).Select(e => e.Path).ToList();

    /// <summary>
    /// The strict decoding errors of a JSON body in the order the decoder meets them, e.g.
    /// <c>unknown field "spec.foo"</c> and <c>duplicate field "metadata.name"</c>.
    /// </summary>
    public static IReadOnlyList<string> StrictDecodingErrors(ReadOnlySpan<byte> json, Type model) =>
        StrictErrors(json, model).Select(e => $"{(e.Duplicate ? "duplicate" : "unknown")} field \"{e.Path}\"").ToList();

    /// <summary>
    /// The server's answer to a create or update body with strict decoding errors. Strict fails the request with
    /// <c>Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.foo"</c>;
    /// Warn lets it through with one <c>299 - "unknown field \"spec.foo\""</c> Warning header per error; Ignore says nothing.
    /// </summary>
    public static FieldValidationOutcome Evaluate(FieldValidationDirective directive, IReadOnlyList<string> strictErrors, string kind, string version)
    {
        if (strictErrors.Count == 0 || directive == FieldValidationDirective.Ignore) return new(null, []);
        if (directive == FieldValidationDirective.Warn) return new(null, strictErrors.Select(WarningHeader).ToList());
        return new($"{kind} in version \"{version}\" cannot be handled as a {kind}: strict decoding error: {string.Join(", ", strictErrors)}", []);
    }

    /// <summary>A Warning header value as the apiserver writes it: code 299, agent "-", Go-quoted text.</summary>
    public static string WarningHeader(string text)
    {
        var sb = new StringBuilder("299 - \"");
        foreach (var c in text)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\t': sb.Append("\\t"); break;
                case '\r': sb.Append("\\r"); break;
                case < ' ': sb.Append($"\\x{(int)c:x2}"); break;
                default: sb.Append(c); break;
            }
        }
        return sb.Append('"').ToString();
    }

    private static void Walk(JsonObject obj, Type model, string path, List<string> found)
    {
        var properties = Properties(model);
        foreach (var (name, value) in obj)
        {
            var childPath = path.Length == 0 ? name : path + "." + name;
            if (!properties.TryGetValue(name, out var propertyType))
            {
                found.Add(childPath);
                continue;
            }
            WalkValue(value, propertyType, childPath, found);
        }
    }

    private static void WalkValue(JsonNode? value, Type propertyType, string path, List<string> found)
    {
        if (ModelNames.ReferencedModel(propertyType) is not { } element) return;
        switch (value)
        {
            case JsonObject child when IsModelValued(propertyType):
                Walk(child, element, path, found);
                break;
            case JsonObject map:
                foreach (var (key, item) in map)
                    if (item is JsonObject o) Walk(o, element, $"{path}.{key}", found);
                break;
            case JsonArray list:
                for (var i = 0; i < list.Count; i++)
                    if (list[i] is JsonObject o) Walk(o, element, $"{path}[{i}]", found);
                break;
        }
    }

    private readonly record struct StrictError(string Path, bool Duplicate);

    // One pass over the raw bytes, like the Go decoder: duplicates can only be seen here, and walking once
    // keeps unknown and duplicate fields in the order they occur.
    private static List<StrictError> StrictErrors(ReadOnlySpan<byte> json, Type? model)
    {
        var errors = new List<StrictError>();
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
        if (!reader.Read()) return errors;
        ReadValue(ref reader, model, model, "", errors);
        return errors.DistinctBy(e => (e.Path, e.Duplicate)).Take(MaxErrors).ToList();
    }

    // On entry the reader is on the value's first token; on exit, on its last token.
    // propertyType is the declared type of the value (null when unknown or opaque); model is the model of an object value.
    private static void ReadValue(ref Utf8JsonReader reader, Type? propertyType, Type? model, string path, List<StrictError> errors)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject:
                var isMap = propertyType is not null && !IsModelValued(propertyType) && model is not null;
                var properties = model is not null && !isMap ? Properties(model) : null;
                var seen = new HashSet<string>(StringComparer.Ordinal);
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var name = reader.GetString()!;
                    var childPath = path.Length == 0 ? name : path + "." + name;
                    if (!seen.Add(name)) errors.Add(new(childPath, Duplicate: true));
                    reader.Read();
                    if (isMap)
                    {
                        ReadValue(ref reader, model, model, childPath, errors);
                    }
                    else if (properties is null)
                    {
                        ReadValue(ref reader, null, null, childPath, errors);
                    }
                    else if (properties.TryGetValue(name, out var type))
                    {
                        ReadValue(ref reader, type, ModelNames.ReferencedModel(type), childPath, errors);
                    }
                    else
                    {
                        if (model is not null) errors.Add(new(childPath, Duplicate: false));
                        ReadValue(ref reader, null, null, childPath, errors);
                    }
                }
                break;
            case JsonTokenType.StartArray:
                var index = 0;
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    ReadValue(ref reader, model, model, $"{path}[{index++}]", errors);
                break;
        }
    }

    // Property types whose JSON object form is a model rather than a map or list of models.
    private static bool IsModelValued(Type propertyType) => ModelNames.IsModel(Nullable.GetUnderlyingType(propertyType) ?? propertyType);

    private static readonly ConcurrentDictionary<Type, FrozenDictionary<string, Type>> PropertyCache = new();

    private static FrozenDictionary<string, Type> Properties(Type model) =>
        PropertyCache.GetOrAdd(model, m => ModelNames.JsonProperties(m).ToFrozenDictionary(p => p.JsonName, p => p.Property.PropertyType, StringComparer.Ordinal));
}
