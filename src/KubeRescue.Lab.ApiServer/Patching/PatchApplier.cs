using System.Text.Json;
using System.Text.Json.Nodes;

namespace KubeRescue.Lab.ApiServer.Patching;

/// <summary>
/// The PATCH request body handling of the API server: picks the patch type from the Content-Type, validates the
/// body and applies it, failing with the status the real server answers.
/// </summary>
public static class PatchApplier
{
    public const string JsonPatchType = "application/json-patch+json";
    public const string MergePatchType = "application/merge-patch+json";
    public const string StrategicMergePatchType = "application/strategic-merge-patch+json";
    public const string ApplyPatchType = "application/apply-patch+yaml";

    /// <summary>The most operations the server accepts in one JSON patch.</summary>
    public const int MaxJsonPatchOperations = 10000;

    // The media types the server lists in its 415: built-in resources take all four, custom resources no strategic.
    private static readonly string[] BuiltInPatchTypes = [JsonPatchType, MergePatchType, StrategicMergePatchType, ApplyPatchType];
    private static readonly string[] CustomResourcePatchTypes = [JsonPatchType, MergePatchType, ApplyPatchType];

    /// <summary>
    /// Applies a patch to the object as the API server serves it, resourceVersion included (a JSON patch may test it).
    /// A resourceVersion the patch leaves as it was is no precondition of the caller's and is taken out again; one
    /// it changes stays, and pins the update to it.
    /// </summary>
    public static JsonObject ApplyAsServed(JsonObject stored, string resourceVersion, ReadOnlySpan<byte> patch, string contentType, Type model)
    {
        if (stored["metadata"] is JsonObject servedMeta) servedMeta["resourceVersion"] = resourceVersion;
        var patched = Apply(stored, patch, contentType, model);
        if (patched["metadata"] is JsonObject meta && (string?)meta["resourceVersion"] == resourceVersion) meta.Remove("resourceVersion");
        return patched;
    }

    /// <summary>
    /// Applies <paramref name="patchBody"/> to <paramref name="original"/>. <paramref name="modelType"/> is the
    /// KubernetesClient model of the resource, or null for a resource without one (a custom resource), which
    /// cannot take a strategic merge patch. Throws <see cref="PatchException"/>.
    /// </summary>
    public static JsonObject Apply(JsonObject original, ReadOnlySpan<byte> patchBody, string contentType, Type? modelType)
    {
        // The server ignores parameters such as "; charset=utf-8" and otherwise matches the media type exactly.
        var separator = contentType.IndexOf(';', StringComparison.Ordinal);
        var patchType = separator > 0 ? contentType[..separator] : contentType;
        var accepted = modelType is null ? CustomResourcePatchTypes : BuiltInPatchTypes;
        if (!accepted.Contains(patchType))
        {
            throw new PatchException(415, PatchException.ReasonUnsupportedMediaType,
                $"the body of the request was in an unknown format - accepted media types include: {string.Join(", ", accepted)}");
        }

        if (patchType == ApplyPatchType)
        {
            throw new PatchException(415, PatchException.ReasonUnsupportedMediaType,
                $"server-side apply ({ApplyPatchType}) is not supported by the kube-rescue lab; use client-side apply or one of: {JsonPatchType}, {MergePatchType}{(modelType is null ? "" : ", " + StrategicMergePatchType)}");
        }

        var patch = Parse(patchBody);
        var patched = patchType switch
        {
            JsonPatchType => ApplyJsonPatch(original, patch),
            MergePatchType => MergePatch.Apply(original, patch),
            _ => ApplyStrategic(original, patch, modelType!),
        };

        return patched as JsonObject ?? throw NotAnObject(patched);
    }

    private static JsonNode? Parse(ReadOnlySpan<byte> body)
    {
        try
        {
            return JsonNode.Parse(body, documentOptions: new JsonDocumentOptions { AllowDuplicateProperties = true });
        }
        catch (Exception e) when (e is JsonException or ArgumentException)
        {
            throw PatchException.BadRequest("invalid JSON patch");
        }
    }

    private static JsonNode ApplyJsonPatch(JsonObject original, JsonNode? patch)
    {
        // A null body decodes to an empty patch.
        var ops = patch switch
        {
            null => [],
            JsonArray array => array,
            _ => throw PatchException.BadRequest($"json: cannot unmarshal {JsonPatch.JsonTypeWord(patch)} into Go value of type jsonpatch.Patch"),
        };

        if (ops.Count > MaxJsonPatchOperations)
        {
            throw new PatchException(413, PatchException.ReasonRequestEntityTooLarge,
                $"Request entity too large: The allowed maximum operations in a JSON patch is {MaxJsonPatchOperations}, got {ops.Count}");
        }

        return JsonPatch.Apply(original, ops);
    }

    private static JsonObject ApplyStrategic(JsonObject original, JsonNode? patch, Type modelType) => patch switch
    {
        // A null body decodes to an empty patch.
        null => (JsonObject)original.DeepClone(),
        JsonObject patchObject => StrategicMergePatch.Apply(original, patchObject, modelType),
        _ => throw PatchException.BadRequest($"json: cannot unmarshal {JsonPatch.JsonTypeWord(patch)} into Go value of type map[string]interface {{}}"),
    };

    // The patched document no longer decodes into the resource: the server reports it as an invalid "patch" field.
    private static PatchException NotAnObject(JsonNode patched) =>
        new(422, PatchException.ReasonInvalid,
            $" \"\" is invalid: patch: Invalid value: {JsonSerializer.Serialize(patched.ToJsonString())}: json: cannot unmarshal {JsonPatch.JsonTypeWord(patched)} into Go value of type map[string]interface {{}}");
}
