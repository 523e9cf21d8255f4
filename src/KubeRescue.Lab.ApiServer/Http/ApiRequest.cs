using System.Buffers;
using System.Text.Json.Nodes;
using System.Text.Json;
using KubeRescue.Lab.ApiServer.Auth;
using KubeRescue.Lab.ApiServer.Errors;
using KubeRescue.Lab.ApiServer.Objects;
using KubeRescue.Lab.ApiServer.OpenApi;
using KubeRescue.Lab.ApiServer.Registry;
using KubeRescue.Lab.ApiServer.Tables;
using Microsoft.AspNetCore.Http;

namespace KubeRescue.Lab.ApiServer.Http;

/// <summary>One resource request: the parsed URL, its resource type, who sent it, and how to read the body and answer.</summary>
public sealed class ApiRequest(HttpContext http, RequestInfo info, ResourceType resource, UserInfo user, TimeProvider clock)
{
    /// <summary>The real API server's request body limit (3 MiB).</summary>
    public const int MaxBodyBytes = 3 * 1024 * 1024;

    public HttpContext Http { get; } = http;
    public RequestInfo Info { get; } = info;
    public ResourceType Resource { get; } = resource;
    /// <summary>The authenticated (and already authorized) user the request acts as.</summary>
    public UserInfo User { get; } = user;
    public CancellationToken Aborted => Http.RequestAborted;

    public string? Query(string name)
    {
        var v = Http.Request.Query[name];
        return v.Count == 0 ? null : v[^1];
    }

    public bool DryRun
    {
        get
        {
            var values = Http.Request.Query["dryRun"];
            foreach (var v in values)
                if (v != "All") throw ApiException.BadRequest($"Invalid dry run value: {v}");
            return values.Count > 0;
        }
    }

    /// <summary>kubectl get asks for a server-side Table; anything else gets the object as JSON.</summary>
    public bool WantsTable
    {
        get
        {
            foreach (var accept in Http.Request.Headers.Accept)
                if (accept is not null && accept.Contains("as=Table", StringComparison.Ordinal)) return true;
            return false;
        }
    }

    public IncludeObject IncludeObject => TableWriter.TryParseIncludeObject(Query("includeObject"), out var include)
        ? include
        : throw ApiException.BadRequest($"unrecognized includeObject value: \"{Query("includeObject")}\"");

    public async Task<byte[]> ReadBodyAsync()
    {
        var declared = Http.Request.ContentLength;
        if (declared > MaxBodyBytes) throw TooLarge();
        var buffer = new ArrayBufferWriter<byte>((int)Math.Clamp(declared ?? 4096, 1, MaxBodyBytes));
        var body = Http.Request.Body;
        while (true)
        {
            var memory = buffer.GetMemory(8192);
            var n = await body.ReadAsync(memory, Aborted);
            if (n == 0) break;
            buffer.Advance(n);
            if (buffer.WrittenCount > MaxBodyBytes) throw TooLarge();
        }
        return buffer.WrittenSpan.ToArray();
    }

    static ApiException TooLarge() => new(413, "RequestEntityTooLarge", $"Request entity too large: limit is {MaxBodyBytes}");

    /// <summary>The body as last read, for checks on the raw bytes (duplicate fields).</summary>
    public byte[] RawBody { get; private set; } = [];

    /// <summary>Reads and decodes a body that must be an object of the resource's kind (or of another <paramref name="model"/>, for subresources).</summary>
    public Task<JsonObject> ReadObjectAsync() => ReadObjectAsync(Resource.Kind, Resource.ApiVersion, Resource.Model);

    public async Task<JsonObject> ReadObjectAsync(string kind, string apiVersion, Type model)
    {
        var body = RawBody = await ReadBodyAsync();
        if (body.Length == 0) throw ApiException.BadRequest("the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf");
        var node = ObjectCodec.Decode(body, Http.Request.ContentType, kind);
        if (node is not JsonObject obj)
            throw ApiException.BadRequest($"the object provided is unrecognized (must be of type {kind}): couldn't get version/kind; json parse error: expected an object");
        TypeCheck.Check(obj, model, kind, apiVersion.Split('/')[^1]);
        var bodyKind = (string?)obj["kind"];
        var bodyVersion = (string?)obj["apiVersion"];
        if (string.IsNullOrEmpty(bodyKind)) obj["kind"] = kind;
        else if (bodyKind != kind)
            throw ApiException.BadRequest($"the kind of the object in the request body ({bodyKind}) does not match the kind of the endpoint ({kind})");
        if (string.IsNullOrEmpty(bodyVersion)) obj["apiVersion"] = apiVersion;
        else if (bodyVersion != apiVersion)
            throw ApiException.BadRequest($"the API version in the data ({bodyVersion}) does not match the expected API version ({apiVersion})");
        if (obj["metadata"] is null) obj["metadata"] = new JsonObject();
        // Keep kind and apiVersion first, as every object the server returns has them.
        var ordered = new JsonObject { ["apiVersion"] = obj["apiVersion"]!.DeepClone(), ["kind"] = obj["kind"]!.DeepClone() };
        foreach (var (k, v) in obj.ToList())
        {
            if (k is "apiVersion" or "kind") continue;
            obj.Remove(k);
            ordered[k] = v;
        }
        return ordered;
    }

    /// <summary>
    /// Server-side field validation (the fieldValidation parameter, Warn when absent): unknown and duplicate
    /// fields of a JSON body are a 400 under Strict and Warning headers under Warn. A patch is checked by the
    /// unknown fields of its result. A protobuf body has no field names to check: its decoder refuses unknown
    /// field numbers itself (kubectl sends those with fieldValidation=Strict too).
    /// </summary>
    public void CheckFields(JsonObject obj, bool patched = false)
    {
        var value = Query("fieldValidation");
        var directive = FieldValidation.Parse(value)
            ?? throw ApiException.BadRequest($"fieldValidation must be one of Ignore, Warn or Strict, got \"{value}\"");
        if (directive == FieldValidationDirective.Ignore || ObjectCodec.IsProtobuf(Http.Request.ContentType)) return;
        var isYaml = Http.Request.ContentType?.Contains("yaml", StringComparison.OrdinalIgnoreCase) == true;
        var errors = isYaml || patched
            ? FieldValidation.UnknownFields(obj, Resource.Model).Select(f => $"unknown field \"{f}\"").ToList()
            : FieldValidation.StrictDecodingErrors(RawBody, Resource.Model);
        var outcome = FieldValidation.Evaluate(directive, errors, Resource.Kind, Resource.Version);
        if (outcome.ErrorMessage is not null) throw ApiException.BadRequest(outcome.ErrorMessage);
        foreach (var warning in outcome.Warnings) Http.Response.Headers.Append("Warning", warning);
    }

    public async Task WriteJsonAsync(int code, JsonNode node)
    {
        Http.Response.StatusCode = code;
        Http.Response.ContentType = "application/json";
        await using var w = new Utf8JsonWriter(Http.Response.BodyWriter, JsonOutput.Options);
        node.WriteTo(w);
        await w.FlushAsync(Aborted);
    }

    /// <summary>One object: as JSON, or as a one-row Table when kubectl asks for one.</summary>
    public Task WriteObjectAsync(int code, JsonObject obj)
    {
        if (!WantsTable) return WriteJsonAsync(code, obj);
        Http.Response.StatusCode = code;
        Http.Response.ContentType = "application/json";
        var rv = (string?)obj["metadata"]?["resourceVersion"] ?? "";
        return WriteTableAsync([obj], rv, null, includeColumnDefinitions: true);
    }

    public async Task WriteTableAsync(IEnumerable<JsonObject> items, string resourceVersion, string? continueToken, bool includeColumnDefinitions)
    {
        await using var w = new Utf8JsonWriter(Http.Response.BodyWriter, JsonOutput.Options);
        TableWriter.WriteTable(w, Resource.Table, items, resourceVersion, continueToken, IncludeObject, clock.GetUtcNow(), includeColumnDefinitions);
        await w.FlushAsync(Aborted);
    }
}
