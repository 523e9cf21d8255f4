using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;

namespace KubeRescue.Lab.Components.ControllerManager.Support;

/// <summary>
/// controller.ComputeHash, behind the Deployment's <c>pod-template-hash</c> and the DaemonSet's
/// <c>controller-revision-hash</c>, and template equality (EqualIgnoreHash).
/// Upstream hashes a spew dump of the Go struct with FNV-32a, then the collision count as 8 little-endian bytes,
/// and renders the decimal sum with rand.SafeEncodeString. The lab cannot reproduce a Go struct dump, so it
/// hashes the template's canonical JSON instead (sorted keys, no nulls or empty values): the same template gives
/// the same hash in every lab process, but not the hash a real cluster would give. Nothing depends on the value
/// beyond that: ReplicaSets are matched to templates by equality, as upstream does.
/// </summary>
static class TemplateHash
{
    public const string PodTemplateHashLabel = "pod-template-hash";

    // k8s.io/apimachinery/pkg/util/rand: no vowels, no 0/1/3 that look like letters.
    const string SafeAlphabet = "bcdfghjklmnpqrstvwxz2456789";

    public static string Compute(V1PodTemplateSpec template, int? collisionCount)
    {
        const uint offset = 2166136261, prime = 16777619;
        var hash = offset;
        void Write(ReadOnlySpan<byte> bytes)
        {
            foreach (var b in bytes) hash = (hash ^ b) * prime;
        }
        Write(Encoding.UTF8.GetBytes(Canonical(template)));
        if (collisionCount is { } c)
        {
            Span<byte> bytes = stackalloc byte[8];
            BitConverter.TryWriteBytes(bytes, (uint)c);
            Write(bytes);
        }
        var digits = hash.ToString(CultureInfo.InvariantCulture);
        var encoded = new char[digits.Length];
        for (var i = 0; i < digits.Length; i++) encoded[i] = SafeAlphabet[digits[i] % SafeAlphabet.Length];
        return new string(encoded);
    }

    /// <summary>Templates equal but for the pod-template-hash label (apiequality.Semantic: nil equals empty).</summary>
    public static bool EqualIgnoreHash(V1PodTemplateSpec a, V1PodTemplateSpec b) => Canonical(a) == Canonical(b);

    static string Canonical(V1PodTemplateSpec template)
    {
        var node = JsonNode.Parse(KubernetesJson.Serialize(template))!;
        (node["metadata"]?["labels"] as JsonObject)?.Remove(PodTemplateHashLabel);
        return Normalize(node)?.ToJsonString() ?? "{}";
    }

    static JsonNode? Normalize(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
            {
                var sorted = new JsonObject();
                foreach (var (key, value) in obj.OrderBy(p => p.Key, StringComparer.Ordinal))
                    if (Normalize(value) is { } v) sorted[key] = v;
                return sorted.Count == 0 ? null : sorted;
            }
            case JsonArray arr:
            {
                var items = new JsonArray();
                foreach (var item in arr) items.Add(Normalize(item) ?? new JsonObject());
                return items.Count == 0 ? null : items;
            }
            case null:
                return null;
            default:
                return node.DeepClone();
        }
    }
}
