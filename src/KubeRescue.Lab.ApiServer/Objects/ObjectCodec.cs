using System.Buffers;
using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.Json;
using System.Text;
using KubeRescue.Lab.ApiServer.Errors;
using KubeRescue.Lab.ApiServer.Http;
using KubeRescue.Lab.ApiServer.Objects.Protobuf;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace KubeRescue.Lab.ApiServer.Objects;

/// <summary>
/// Objects travel as raw JSON so that fields the lab does not model survive. Stored bytes never carry
/// <c>metadata.resourceVersion</c>: the store's revision is the truth, and it is spliced in on the way out,
/// as the real API server's versioner sets it from etcd's mod revision.
/// </summary>
public static class ObjectCodec
{
    static readonly JsonSerializerOptions Compact = new() { WriteIndented = false };
    static readonly byte[] MetadataProperty = "metadata"u8.ToArray();

    /// <summary>Parses a request body as JSON, or as YAML or Kubernetes protobuf when the content type says so.</summary>
    public static JsonNode? Decode(ReadOnlySpan<byte> body, string? contentType, string expectedKind)
    {
        if (IsProtobuf(contentType))
        {
            try
            {
                return ProtobufDecoder.Decode(body, expectedKind);
            }
            catch (FormatException e)
            {
                throw ApiException.BadRequest($"the object provided is unrecognized (must be of type {expectedKind}): couldn't decode protobuf: {e.Message}");
            }
        }
        if (contentType is not null && !IsJsonOrYaml(contentType))
            throw new ApiException(415, "UnsupportedMediaType",
                $"the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, {ProtobufDecoder.MediaType}");
        try
        {
            if (contentType is not null && contentType.Contains("yaml", StringComparison.OrdinalIgnoreCase))
                return YamlToJson(Encoding.UTF8.GetString(body));
            return JsonNode.Parse(body, documentOptions: new JsonDocumentOptions { MaxDepth = 256 });
        }
        catch (Exception e) when (e is JsonException or YamlException or FormatException)
        {
            throw ApiException.BadRequest(
                $"the object provided is unrecognized (must be of type {expectedKind}): couldn't get version/kind; json parse error: {e.Message}");
        }
    }

    /// <summary>JSON and YAML bodies; CBOR is not spoken here.</summary>
    static bool IsJsonOrYaml(string contentType)
    {
        var mediaType = MediaType(contentType);
        return mediaType.Length == 0 || mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || mediaType.Equals("application/yaml", StringComparison.OrdinalIgnoreCase) || mediaType.Equals("*/*", StringComparison.Ordinal);
    }

    public static bool IsProtobuf(string? contentType) =>
        contentType is not null && MediaType(contentType).Equals(ProtobufDecoder.MediaType, StringComparison.OrdinalIgnoreCase);

    static string MediaType(string contentType) => contentType.Split(';')[0].Trim();

    /// <summary>Serialises with apiVersion, kind and metadata first, and without metadata.resourceVersion.</summary>
    public static byte[] Encode(JsonObject obj)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var w = new Utf8JsonWriter(buffer, JsonOutput.Options))
        {
            w.WriteStartObject();
            foreach (var first in (ReadOnlySpan<string>)["apiVersion", "kind", "metadata"])
            {
                if (!obj.TryGetPropertyValue(first, out var v)) continue;
                w.WritePropertyName(first);
                if (first == "metadata" && v is JsonObject meta)
                {
                    w.WriteStartObject();
                    foreach (var (k, mv) in meta)
                    {
                        if (k == "resourceVersion") continue;
                        w.WritePropertyName(k);
                        WriteNode(w, mv);
                    }
                    w.WriteEndObject();
                }
                else WriteNode(w, v);
            }
            foreach (var (k, v) in obj)
            {
                if (k is "apiVersion" or "kind" or "metadata") continue;
                w.WritePropertyName(k);
                WriteNode(w, v);
            }
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    static void WriteNode(Utf8JsonWriter w, JsonNode? v)
    {
        if (v is null) w.WriteNullValue();
        else v.WriteTo(w, Compact);
    }

    /// <summary>Parses stored bytes and sets metadata.resourceVersion.</summary>
    public static JsonObject Parse(byte[] stored, long resourceVersion)
    {
        var obj = JsonNode.Parse(stored)!.AsObject();
        if (obj["metadata"] is JsonObject meta) meta["resourceVersion"] = resourceVersion.ToString(CultureInfo.InvariantCulture);
        return obj;
    }

    /// <summary>Writes stored bytes with <c>"resourceVersion"</c> spliced in as metadata's first field, without a parse.</summary>
    public static void WriteStamped(IBufferWriter<byte> output, byte[] stored, long resourceVersion)
    {
        var open = FindMetadataObject(stored);
        if (open < 0)
        {
            output.Write(stored);
            return;
        }
        output.Write(stored.AsSpan(0, open + 1));
        output.Write("\"resourceVersion\":\""u8);
        Span<byte> digits = stackalloc byte[20];
        resourceVersion.TryFormat(digits, out var n, provider: CultureInfo.InvariantCulture);
        output.Write(digits[..n]);
        output.Write(stored[open + 1] == (byte)'}' ? "\""u8 : "\","u8);
        output.Write(stored.AsSpan(open + 1));
    }

    public static byte[] Stamped(byte[] stored, long resourceVersion)
    {
        var buffer = new ArrayBufferWriter<byte>(stored.Length + 40);
        WriteStamped(buffer, stored, resourceVersion);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Index of the '{' that opens the top-level metadata object, or -1.</summary>
    static int FindMetadataObject(byte[] json)
    {
        var reader = new Utf8JsonReader(json);
        while (reader.Read())
        {
            if (reader.CurrentDepth != 1) continue;
            if (reader.TokenType == JsonTokenType.PropertyName)
            {
                if (!reader.ValueTextEquals(MetadataProperty))
                {
                    reader.Skip();
                    continue;
                }
                reader.Read();
                return reader.TokenType == JsonTokenType.StartObject ? (int)reader.TokenStartIndex : -1;
            }
        }
        return -1;
    }

    /// <summary>YAML 1.1-ish core schema, as sigs.k8s.io/yaml converts it to JSON: plain scalars become numbers, booleans and null.</summary>
    public static JsonNode? YamlToJson(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        if (stream.Documents.Count == 0) return null;
        if (stream.Documents.Count > 1) throw new FormatException("expected a single YAML document");
        return Convert(stream.Documents[0].RootNode);
    }

    static JsonNode? Convert(YamlNode node) => node switch
    {
        YamlMappingNode map => new JsonObject(map.Children.Select(kv =>
            KeyValuePair.Create(((YamlScalarNode)kv.Key).Value ?? "", Convert(kv.Value)))),
        YamlSequenceNode seq => new JsonArray(seq.Children.Select(Convert).ToArray()),
        YamlScalarNode scalar => Scalar(scalar),
        _ => throw new FormatException($"unsupported YAML node {node.NodeType}"),
    };

    static JsonNode? Scalar(YamlScalarNode s)
    {
        var v = s.Value ?? "";
        if (s.Style is ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted or ScalarStyle.Literal or ScalarStyle.Folded)
            return JsonValue.Create(v);
        switch (v)
        {
            case "" or "~" or "null" or "Null" or "NULL": return null;
            case "true" or "True" or "TRUE": return JsonValue.Create(true);
            case "false" or "False" or "FALSE": return JsonValue.Create(false);
        }
        if (long.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l)) return JsonValue.Create(l);
        if (double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && v.Any(char.IsDigit) && !v.Contains('_'))
            return JsonValue.Create(d);
        return JsonValue.Create(v);
    }
}
