using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s.Models;

namespace KubeRescue.Lab.ApiServer.OpenApi;

/// <summary>
/// The /openapi/v3 discovery document, one document per group-version, and the /openapi/v2 answer,
/// all built once. Hashes follow kube-openapi: upper-case hex SHA-512 of the served JSON bytes.
/// </summary>
public sealed class OpenApiDocuments
{
    public const string V2ProtobufContentType = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf";

    private readonly SortedDictionary<string, (byte[] Json, string Hash)> _groupVersions = new(StringComparer.Ordinal);
    private readonly byte[] _root;

    public OpenApiDocuments(IEnumerable<OpenApiResource> resources, PatchMetadataLookup? patchMetadata = null, string kubernetesVersion = "v1.33.0")
    {
        foreach (var gv in resources.GroupBy(r => (r.Group, r.Version)))
        {
            var key = gv.Key.Group == "" ? $"api/{gv.Key.Version}" : $"apis/{gv.Key.Group}/{gv.Key.Version}";
            var json = OpenApiV3Builder.Build(gv.ToList(), patchMetadata, kubernetesVersion);
            _groupVersions[key] = (json, Hash(json));
        }
        var paths = new JsonObject();
        foreach (var (key, doc) in _groupVersions)
            paths[key] = new JsonObject { ["serverRelativeURL"] = ServerRelativeUrl(key, doc.Hash) };
        _root = JsonSerializer.SerializeToUtf8Bytes(new JsonObject { ["paths"] = paths });
        RootHash = Hash(_root);
    }

    /// <summary>Keys of the discovery document: "api/v1", "apis/apps/v1", ...</summary>
    public IEnumerable<string> GroupVersionPaths => _groupVersions.Keys;

    public string RootHash { get; }

    /// <summary>Body of GET /openapi/v3.</summary>
    public byte[] V3Root() => _root;

    /// <summary>Body of GET /openapi/v3/{path} for path "api/v1", "apis/apps/v1", ...; null when not served.</summary>
    public byte[]? V3GroupVersion(string path) => _groupVersions.TryGetValue(path.Trim('/'), out var doc) ? doc.Json : null;

    public string? V3GroupVersionHash(string path) => _groupVersions.TryGetValue(path.Trim('/'), out var doc) ? doc.Hash : null;

    /// <summary>
    /// Body of GET /openapi/v2 (protobuf, gnostic openapi_v2.Document): an empty message, i.e. a document with no
    /// definitions. kubectl 1.27 and 1.28 fetch and parse it before every create/apply and fail if it is missing or
    /// not protobuf; its content is only consulted when /openapi/v3 does not describe a kind, which never happens here.
    /// </summary>
    public static byte[] V2Protobuf() => [];

    /// <summary>
    /// The whole HTTP answer for an /openapi request, with the headers kube-openapi sends. Returns null for
    /// paths outside /openapi. <paramref name="hash"/> is the ?hash= query value, <paramref name="ifNoneMatch"/>
    /// the If-None-Match header.
    /// </summary>
    public OpenApiResponse? Respond(string path, string? accept, string? hash, string? ifNoneMatch, DateTimeOffset now)
    {
        path = path.TrimEnd('/');
        if (path == "/openapi/v2")
        {
            // Only protobuf is offered: every kubectl asks for it, and a JSON body would be misread as protobuf.
            if (!Accepts(accept, "application", "com.github.proto-openapi.spec.v2@v1.0+protobuf")
                && !Accepts(accept, "application", "com.github.proto-openapi.spec.v2.v1.0+protobuf"))
                return new OpenApiResponse(406, null, [], []);
            var v2 = V2Protobuf();
            return Conditional(V2ProtobufContentType, v2, Hash(v2), ifNoneMatch, []);
        }
        if (path == "/openapi/v3")
            return Conditional("application/json", _root, RootHash, ifNoneMatch, []);
        if (!path.StartsWith("/openapi/v3/", StringComparison.Ordinal)) return null;

        var key = path["/openapi/v3/".Length..];
        if (!_groupVersions.TryGetValue(key, out var doc))
            return new OpenApiResponse(404, "text/plain; charset=utf-8", "404 page not found\n"u8.ToArray(), []);
        if (!Accepts(accept, "application", "json"))
            return new OpenApiResponse(406, null, [], [new("Vary", "Accept")]);
        if (string.IsNullOrEmpty(hash))
            return Conditional("application/json", doc.Json, doc.Hash, ifNoneMatch, [new("Vary", "Accept")]);
        // A stale hash is answered with a permanent redirect to the current one, as kube-openapi does.
        if (hash != doc.Hash)
            return new OpenApiResponse(301, null, [], [new("Vary", "Accept"), new("Location", ServerRelativeUrl(key, doc.Hash))]);
        return Conditional("application/json", doc.Json, doc.Hash, ifNoneMatch,
        [
            new("Vary", "Accept"),
            new("Cache-Control", "public, immutable"),
            new("Expires", now.AddYears(1).UtcDateTime.ToString("ddd, dd MMM yyyy HH:mm:ss 'UTC'", CultureInfo.InvariantCulture)),
        ]);
    }

    private static OpenApiResponse Conditional(string contentType, byte[] body, string hash, string? ifNoneMatch, List<KeyValuePair<string, string>> headers)
    {
        var etag = $"\"{hash}\"";
        headers.Add(new("Etag", etag));
        if (ifNoneMatch is not null && ifNoneMatch.Split(',').Any(t => t.Trim() is var tag && (tag == etag || tag == "*")))
            return new OpenApiResponse(304, null, [], headers);
        return new OpenApiResponse(200, contentType, body, headers);
    }

    // Media-range matching as goautoneg does it: type/subtype or wildcards; no Accept means */*.
    private static bool Accepts(string? accept, string type, string subtype)
    {
        if (string.IsNullOrWhiteSpace(accept)) return true;
        foreach (var clause in accept.Split(','))
        {
            var range = clause.Split(';')[0].Trim();
            var slash = range.IndexOf('/');
            var (t, s) = slash < 0 ? (range, "*") : (range[..slash], range[(slash + 1)..]);
            if ((t == "*" || t == type) && (s == "*" || s == subtype)) return true;
        }
        return false;
    }

    private static string ServerRelativeUrl(string key, string hash) => $"/openapi/v3/{key}?hash={hash}";

    private static string Hash(byte[] data) => Convert.ToHexString(SHA512.HashData(data));
}

/// <summary>An HTTP answer: status, Content-Type (null when there is no body), body and extra headers.</summary>
public sealed record OpenApiResponse(int StatusCode, string? ContentType, byte[] Body, IReadOnlyList<KeyValuePair<string, string>> Headers);
