using System.Text.Json.Nodes;
using System.Text.Json;
using System.Text;
using KubeRescue.Lab.ApiServer.Errors;

namespace KubeRescue.Lab.ApiServer.Http;

/// <summary>
/// The opaque <c>continue</c> token of a paged list, shaped like upstream's: base64 of
/// {"v":"meta.k8s.io/v1","rv":N,"start":"&lt;the last entry's position in its collection&gt;"}. Later pages report the first page's
/// resourceVersion; unlike etcd, the in-memory store serves them from its current state.
/// </summary>
public static class ContinueToken
{
    public static string Encode(string lastPosition, long revision)
    {
        var json = new JsonObject { ["v"] = "meta.k8s.io/v1", ["rv"] = revision, ["start"] = lastPosition + "\0" }.ToJsonString();
        return Convert.ToBase64String(Encoding.UTF8.GetBytes(json)).Replace('+', '-').Replace('/', '_').TrimEnd('=');
    }

    /// <returns>The position to continue after, and the list's revision; (null, null) for no token.</returns>
    public static (string? StartAfter, long? Revision) Decode(string? token)
    {
        if (string.IsNullOrEmpty(token)) return (null, null);
        try
        {
            var b64 = token.Replace('-', '+').Replace('_', '/');
            b64 = b64.PadRight(b64.Length + (4 - b64.Length % 4) % 4, '=');
            var node = JsonNode.Parse(Convert.FromBase64String(b64))!;
            if ((string?)node["v"] != "meta.k8s.io/v1") throw new FormatException("unsupported version");
            var start = (string?)node["start"] ?? throw new FormatException("no start");
            var rv = (long?)node["rv"] ?? throw new FormatException("no rv");
            if (start.Length == 0 || start[^1] != '\0' || start.Contains("..", StringComparison.Ordinal) || start.StartsWith('/'))
                throw new FormatException("bad start");
            return (start[..^1], rv);
        }
        catch (Exception e) when (e is FormatException or JsonException or InvalidOperationException)
        {
            throw ApiException.BadRequest($"continue key is not valid: {e.Message}");
        }
    }
}
