using System.Text.Json.Nodes;

namespace KubeRescue.Lab.ApiServer.Patching;

/// <summary>
/// RFC 7386 JSON Merge Patch as the API server applies it (evanphx/json-patch v4 MergePatch): null deletes,
/// objects merge recursively, anything else replaces. Like that library, values that land where nothing was
/// before lose their null members, including inside arrays.
/// </summary>
public static class MergePatch
{
    public const string InvalidPatchMessage = "Invalid JSON Patch";

    /// <summary>
    /// Returns the patched copy of <paramref name="original"/>. A null or scalar patch is a 400 BadRequest
    /// ("Invalid JSON Patch"); an array patch replaces the document.
    /// </summary>
    public static JsonNode Apply(JsonNode? original, JsonNode? patch)
    {
        switch (patch)
        {
            case JsonObject patchObject when original is JsonObject originalObject:
                var result = (JsonObject)originalObject.DeepClone();
                MergeInto(result, patchObject);
                return result;
            case JsonObject or JsonArray:
                var replacement = patch.DeepClone();
                PruneNulls(replacement);
                return replacement;
            default:
                throw PatchException.BadRequest(InvalidPatchMessage);
        }
    }

    private static void MergeInto(JsonObject target, JsonObject patch)
    {
        foreach (var (key, value) in patch)
        {
            if (value is null)
            {
                target.Remove(key);
                continue;
            }

            var current = target[key];
            if (current is JsonObject currentObject && value is JsonObject valueObject)
            {
                MergeInto(currentObject, valueObject);
                continue;
            }

            var replacement = value.DeepClone();
            // Merging into a non-object (or nothing) prunes; an object replaced by a non-object takes the value as is.
            if (current is not JsonObject)
            {
                PruneNulls(replacement);
            }

            target[key] = replacement;
        }
    }

    private static void PruneNulls(JsonNode node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var key in obj.Where(p => p.Value is null).Select(p => p.Key).ToList())
                {
                    obj.Remove(key);
                }

                foreach (var (_, child) in obj)
                {
                    PruneNulls(child!);
                }

                break;
            case JsonArray array:
                // Null elements stay; only members of objects inside are pruned.
                foreach (var item in array.Where(i => i is not null))
                {
                    PruneNulls(item!);
                }

                break;
        }
    }
}
