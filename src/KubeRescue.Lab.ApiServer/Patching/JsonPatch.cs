using System.Globalization;
using System.Text.Json.Nodes;

namespace KubeRescue.Lab.ApiServer.Patching;

/// <summary>
/// RFC 6902 JSON Patch as the API server applies it: with gopkg.in/evanphx/json-patch.v4, quirks included
/// (negative array indices, "replace" of a missing object member adds it, "test" of a missing member against
/// null passes, the whole document cannot be the target of "add").
/// </summary>
public static class JsonPatch
{
    /// <summary>What the server answers for any failing operation: 422 with a fixed message, the cause only logged.</summary>
    public const string GenericInvalidMessage = "the server rejected our request due to an error in our request";

    /// <summary>
    /// Applies <paramref name="ops"/> to a copy of <paramref name="doc"/>. A failing operation throws a 422 Invalid
    /// <see cref="PatchException"/> whose <see cref="PatchException.Detail"/> holds the json-patch error; an element
    /// that is not an object is a 400, as decoding the patch fails on the server.
    /// </summary>
    public static JsonNode Apply(JsonNode doc, JsonArray ops)
    {
        foreach (var op in ops)
        {
            if (op is not (JsonObject or null))
            {
                throw PatchException.BadRequest($"json: cannot unmarshal {JsonTypeWord(op)} into Go value of type jsonpatch.Operation");
            }
        }

        var root = doc.DeepClone();
        foreach (var op in ops)
        {
            try
            {
                root = ApplyOne(root, (JsonObject?)op);
            }
            catch (OperationFailed failure)
            {
                throw new PatchException(422, PatchException.ReasonInvalid, GenericInvalidMessage) { Detail = failure.Message };
            }
        }

        return root;
    }

    /// <summary>The word encoding/json uses for a JSON value in "cannot unmarshal X into ..." errors.</summary>
    internal static string JsonTypeWord(JsonNode? node) => GoValues.KindOf(node) switch
    {
        GoKind.Map => "object",
        GoKind.Slice => "array",
        GoKind.String => "string",
        GoKind.Bool => "bool",
        GoKind.Int64 or GoKind.Float64 => "number",
        _ => "null",
    };

    private static JsonNode ApplyOne(JsonNode root, JsonObject? op)
    {
        var kind = op?["op"] is JsonValue v && GoValues.KindOf(v) == GoKind.String ? v.GetValue<string>() : "unknown";
        switch (kind)
        {
            case "add":
            {
                var path = PathOf(op!, "path", "add operation failed to decode path: missing value");
                var (container, key) = Find(root, path) ?? throw Fail($"add operation does not apply: doc is missing path: \"{path}\": missing value");
                Add(container, key, Value(op!), path, "error in add for path: '{0}': {1}");
                return root;
            }

            case "remove":
            {
                var path = PathOf(op!, "path", "remove operation failed to decode path: missing value");
                var (container, key) = Find(root, path) ?? throw Fail($"remove operation does not apply: doc is missing path: \"{path}\": missing value");
                Remove(container, key, $"error in remove for path: '{path}': ");
                return root;
            }

            case "replace":
            {
                var path = PathOf(op!, "path", null, "replace operation failed to decode path: ");
                if (path.Length == 0)
                {
                    return Value(op!) is JsonObject or JsonArray ? Value(op!)! : throw Fail("replace operation value must be object or array: %!w(<nil>)");
                }

                var (container, key) = Find(root, path) ?? throw Fail($"replace operation does not apply: doc is missing path: {path}: missing value");
                if (!TryGet(container, key, out _, out _))
                {
                    throw Fail($"replace operation does not apply: doc is missing key: {path}: missing value");
                }

                Set(container, key, Value(op!));
                return root;
            }

            case "move":
            {
                var from = PathOf(op!, "from", null, "move operation failed to decode from: ");
                var (source, sourceKey) = Find(root, from) ?? throw Fail($"move operation does not apply: doc is missing from path: {from}: missing value");
                if (!TryGet(source, sourceKey, out var value, out var error))
                {
                    throw Fail($"error in move for path: '{sourceKey}': {error}");
                }

                Remove(source, sourceKey, $"error in move for path: '{sourceKey}': ");
                var path = PathOf(op!, "path", null, "move operation failed to decode path: ");
                var (target, key) = Find(root, path) ?? throw Fail($"move operation does not apply: doc is missing destination path: {path}: missing value");
                Add(target, key, value, path, "error in move for path: '{0}': {1}");
                return root;
            }

            case "test":
            {
                var path = PathOf(op!, "path", null, "test operation failed to decode path: ");
                if (path.Length == 0)
                {
                    return JsonEqual(root, Value(op!)) ? root : throw Fail("testing value  failed: test failed");
                }

                var (container, key) = Find(root, path) ?? throw Fail($"test operation does not apply: is missing path: {path}: missing value");
                if (!TryGet(container, key, out var actual, out var error))
                {
                    throw Fail($"error in test for path: '{path}': {error}");
                }

                // A missing or null member matches an absent or null value.
                var passes = actual is null ? Value(op!) is null : op!.ContainsKey("value") && JsonEqual(actual, Value(op!));
                return passes ? root : throw Fail($"testing value {path} failed: test failed");
            }

            case "copy":
            {
                var from = PathOf(op!, "from", null, "copy operation failed to decode from: ");
                var (source, sourceKey) = Find(root, from) ?? throw Fail($"copy operation does not apply: doc is missing from path: {from}: missing value");
                if (!TryGet(source, sourceKey, out var value, out var error))
                {
                    throw Fail($"error in copy for from: '{from}': {error}");
                }

                var path = PathOf(op!, "path", "copy operation failed to decode path: missing value");
                var (target, key) = Find(root, path) ?? throw Fail($"copy operation does not apply: doc is missing destination path: {path}: missing value");
                Add(target, key, value?.DeepClone(), path, "error while adding value during copy: {1}");
                return root;
            }

            default:
                throw Fail($"Unexpected kind: {kind}");
        }
    }

    private static JsonNode? Value(JsonObject op) => op["value"]?.DeepClone();

    // Reads "path"/"from". A missing member or a non-string one fails with the messages json-patch builds.
    private static string PathOf(JsonObject op, string member, string? missingMessage, string prefix = "")
    {
        var node = op[member];
        if (node is null)
        {
            throw Fail(missingMessage ?? $"{prefix}operation{(member == "path" ? "" : ",")} missing {member} field: missing value");
        }

        if (GoValues.KindOf(node) != GoKind.String)
        {
            throw Fail(missingMessage ?? $"{prefix}json: cannot unmarshal {JsonTypeWord(node)} into Go value of type string");
        }

        return node.GetValue<string>();
    }

    // json-patch resolves every token but the last; without a leading "/" the first token is silently skipped.
    private static (JsonNode Container, string Key)? Find(JsonNode root, string path)
    {
        var tokens = path.Split('/');
        if (tokens.Length < 2)
        {
            return null;
        }

        var current = root;
        for (var i = 1; i < tokens.Length - 1; i++)
        {
            if (!TryGet(current, Unescape(tokens[i]), out var next, out _) || next is not (JsonObject or JsonArray))
            {
                return null;
            }

            current = next;
        }

        return (current, Unescape(tokens[^1]));
    }

    private static string Unescape(string token) =>
        token.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);

    private static bool TryGet(JsonNode container, string key, out JsonNode? value, out string? error)
    {
        value = null;
        error = null;
        if (container is JsonObject obj)
        {
            // A missing member reads as null without error, as in json-patch.
            value = obj[key];
            return true;
        }

        var array = (JsonArray)container;
        if (!TryIndex(key, out var index, out error))
        {
            return false;
        }

        if (index < 0)
        {
            if (index < -array.Count)
            {
                error = $"Unable to access invalid index: {index}: invalid index referenced";
                return false;
            }

            index += array.Count;
        }

        if (index >= array.Count)
        {
            error = $"Unable to access invalid index: {index}: invalid index referenced";
            return false;
        }

        value = array[index];
        return true;
    }

    private static void Add(JsonNode container, string key, JsonNode? value, string path, string format)
    {
        if (container is JsonObject obj)
        {
            obj[key] = value;
            return;
        }

        var array = (JsonArray)container;
        if (key == "-")
        {
            array.Add(value);
            return;
        }

        if (!TryIndex(key, out var index, out var error))
        {
            throw Fail(string.Format(CultureInfo.InvariantCulture, format, path, $"value was not a proper array index: '{key}': {error}"));
        }

        var size = array.Count + 1;
        if (index >= size || index < -size)
        {
            throw Fail(string.Format(CultureInfo.InvariantCulture, format, path, $"Unable to access invalid index: {index}: invalid index referenced"));
        }

        array.Insert(index < 0 ? index + size : index, value);
    }

    private static void Set(JsonNode container, string key, JsonNode? value)
    {
        if (container is JsonObject obj)
        {
            obj[key] = value;
            return;
        }

        var array = (JsonArray)container;
        TryIndex(key, out var index, out _);
        array[index < 0 ? index + array.Count : index] = value;
    }

    private static void Remove(JsonNode container, string key, string prefix)
    {
        if (container is JsonObject obj)
        {
            if (!obj.Remove(key))
            {
                throw Fail($"{prefix}Unable to remove nonexistent key: {key}: missing value");
            }

            return;
        }

        var array = (JsonArray)container;
        if (!TryIndex(key, out var index, out var error))
        {
            throw Fail(prefix + error);
        }

        if (index >= array.Count || index < -array.Count)
        {
            throw Fail($"{prefix}Unable to access invalid index: {index}: invalid index referenced");
        }

        array.RemoveAt(index < 0 ? index + array.Count : index);
    }

    // strconv.Atoi, with its error text.
    private static bool TryIndex(string key, out int index, out string? error)
    {
        if (int.TryParse(key, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out index))
        {
            error = null;
            return true;
        }

        var range = key.Length > 0 && key.TrimStart('+', '-').All(char.IsAsciiDigit) && key.TrimStart('+', '-').Length > 0;
        error = $"strconv.Atoi: parsing \"{key}\": {(range ? "value out of range" : "invalid syntax")}";
        return false;
    }

    // json-patch compares objects and arrays structurally and scalars by their compacted JSON text.
    private static bool JsonEqual(JsonNode? left, JsonNode? right) => (left, right) switch
    {
        (null, null) => true,
        (JsonObject l, JsonObject r) => l.Count == r.Count
            && l.All(p => r.TryGetPropertyValue(p.Key, out var other) && JsonEqual(p.Value, other)),
        (JsonArray l, JsonArray r) => l.Count == r.Count && l.Select((item, i) => JsonEqual(item, r[i])).All(x => x),
        (JsonValue l, JsonValue r) => l.ToJsonString() == r.ToJsonString(),
        _ => false,
    };

    private static OperationFailed Fail(string message) => new(message);

    private sealed class OperationFailed(string message) : Exception(message);
}
