using System.Text.Json.Nodes;
using System.Text;
using KubeRescue.Lab.ApiServer.Errors;
using KubeRescue.Lab.ApiServer.Http;

namespace KubeRescue.Lab.ApiServer.Objects.Protobuf;

/// <summary>
/// Turns a Kubernetes protobuf request body (what kubectl 1.31+ sends for its typed-client calls) into the JSON
/// object the same request would have carried as JSON, driven by the schema tables. A field number a table does
/// not list is refused with 415 rather than dropped, so nothing a client sent is silently lost; bytes that are not
/// valid protobuf are a <see cref="FormatException"/>.
/// </summary>
public static class ProtobufDecoder
{
    public const string MediaType = "application/vnd.kubernetes.protobuf";

    static ReadOnlySpan<byte> Magic => "k8s\0"u8;

    static readonly (string ApiVersion, string Kind, ProtoMessage Message)[] Kinds =
    [
        ("v1", "Namespace", CoreV1.Namespace),
        ("v1", "ConfigMap", CoreV1.ConfigMap),
        ("v1", "Secret", CoreV1.Secret),
        ("v1", "ServiceAccount", CoreV1.ServiceAccount),
        ("v1", "Pod", CoreV1.Pod),
        ("apps/v1", "Deployment", AppsV1.Deployment),
        ("policy/v1", "Eviction", PolicyV1.Eviction),
        ("policy/v1", "PodDisruptionBudget", PolicyV1.PodDisruptionBudget),
        ("coordination.k8s.io/v1", "Lease", CoordinationV1.Lease),
        ("rbac.authorization.k8s.io/v1", "Role", RbacV1.Role),
        ("rbac.authorization.k8s.io/v1", "ClusterRole", RbacV1.ClusterRole),
        ("rbac.authorization.k8s.io/v1", "RoleBinding", RbacV1.RoleBinding),
        ("rbac.authorization.k8s.io/v1", "ClusterRoleBinding", RbacV1.ClusterRoleBinding),
        ("authorization.k8s.io/v1", "SelfSubjectAccessReview", AuthorizationV1.SelfSubjectAccessReview),
        ("authentication.k8s.io/v1", "SelfSubjectReview", AuthenticationV1.SelfSubjectReview),
    ];

    /// <summary>
    /// The envelope's object, with apiVersion and kind from its TypeMeta first. As upstream, a TypeMeta without a
    /// kind means the endpoint's (<paramref name="expectedKind"/>), and one without an apiVersion the version that
    /// kind is served in; the version is then left for the caller to fill in, as for a JSON body without one.
    /// </summary>
    /// <exception cref="FormatException">The body is not a well-formed Kubernetes protobuf message.</exception>
    /// <exception cref="ApiException">415: a kind, field or encoding the tables do not cover.</exception>
    public static JsonObject Decode(ReadOnlySpan<byte> body, string expectedKind)
    {
        if (!body.StartsWith(Magic)) throw new FormatException("the body does not start with the Kubernetes protobuf prefix \"k8s\\x00\"");
        var envelope = DecodeMessage(body[Magic.Length..], Apimachinery.Unknown);
        var apiVersion = (string?)envelope["typeMeta"]?["apiVersion"] ?? "";
        var kind = (string?)envelope["typeMeta"]?["kind"] ?? expectedKind;
        if ((string?)envelope["contentEncoding"] is { } encoding)
            throw Unsupported($"the protobuf envelope's content encoding \"{encoding}\" is not supported");
        if ((string?)envelope["contentType"] is { } type && type != MediaType)
            throw Unsupported($"the protobuf envelope's content type \"{type}\" is not supported");
        // DeleteOptions belongs to every group version, so clients send it under whichever they are talking to.
        var message = kind == "DeleteOptions" ? Apimachinery.DeleteOptions
            : Kinds.FirstOrDefault(k => k.Kind == kind && (apiVersion.Length == 0 || k.ApiVersion == apiVersion)).Message
              ?? throw Unsupported($"the lab does not decode protobuf bodies of kind \"{kind}\" in version \"{apiVersion}\"");
        var raw = (string?)envelope["raw"] is { } base64 ? Convert.FromBase64String(base64) : [];
        var obj = DecodeMessage(raw, message);
        obj.Insert(0, "kind", kind);
        if (apiVersion.Length > 0) obj.Insert(0, "apiVersion", apiVersion);
        return obj;
    }

    /// <summary>One message as its JSON object (before any <see cref="ProtoMessage.Render"/>).</summary>
    public static JsonObject DecodeMessage(ReadOnlySpan<byte> data, ProtoMessage message)
    {
        var obj = new JsonObject();
        foreach (var (name, value) in Properties(data, message)) obj[name] = value;
        return obj;
    }

    static List<KeyValuePair<string, JsonNode?>> Properties(ReadOnlySpan<byte> data, ProtoMessage message)
    {
        var values = new JsonNode?[message.Fields.Count];
        var inlined = new List<KeyValuePair<string, JsonNode?>>?[message.Fields.Count];
        var reader = new ProtoReader(data);
        while (reader.TryReadTag(out var number, out var wire))
        {
            var index = message.IndexOf(number);
            if (index < 0) throw UnknownField(message.Name, number);
            var field = message.Fields[index];
            switch (field.Shape)
            {
                case Shape.Single:
                    values[index] = Value(ref reader, wire, field, message, field.Zero);
                    break;
                case Shape.Repeated:
                    var list = (JsonArray)(values[index] ??= new JsonArray());
                    if (wire == WireType.LengthDelimited && field.Type is ProtoType.Bool or ProtoType.Int32 or ProtoType.Int64)
                    {
                        // A packed run: varints back to back in one length-delimited value.
                        var packed = new ProtoReader(reader.ReadLengthDelimited());
                        while (!packed.AtEnd) list.Add(Varint(packed.ReadVarint(), field.Type));
                    }
                    else list.Add(Value(ref reader, wire, field, message, Zero.Keep));
                    break;
                case Shape.Map:
                    var (key, value) = MapEntry(LengthDelimited(ref reader, wire, field, message), field, message);
                    ((JsonObject)(values[index] ??= new JsonObject()))[key] = value;
                    break;
                case Shape.Inline:
                    inlined[index] = Properties(LengthDelimited(ref reader, wire, field, message), field.Message!);
                    break;
            }
        }
        var properties = new List<KeyValuePair<string, JsonNode?>>();
        for (var i = 0; i < values.Length; i++)
        {
            if (inlined[i] is { } fromInline) properties.AddRange(fromInline);
            else if (values[i] is { } value) properties.Add(KeyValuePair.Create(message.Fields[i].Json, (JsonNode?)value));
        }
        return properties;
    }

    /// <summary>A map entry: the key as field 1, the value as field 2, either of which may be absent when zero.</summary>
    static (string Key, JsonNode? Value) MapEntry(ReadOnlySpan<byte> entry, ProtoField field, ProtoMessage owner)
    {
        var key = "";
        JsonNode? value = null;
        var reader = new ProtoReader(entry);
        while (reader.TryReadTag(out var number, out var wire))
        {
            if (number == 1) key = Encoding.UTF8.GetString(LengthDelimited(ref reader, wire, field, owner));
            else if (number == 2) value = Value(ref reader, wire, field, owner, Zero.Keep);
            else throw UnknownField($"{owner.Name}.{field.Json} (a map entry)", number);
        }
        return (key, value ?? (field.Type == ProtoType.Message ? Nested([], field.Message!) : ""));
    }

    /// <summary>One value of the field's type, or null for a zero the JSON leaves out.</summary>
    static JsonNode? Value(ref ProtoReader reader, WireType wire, ProtoField field, ProtoMessage owner, Zero zero)
    {
        if (field.Type is ProtoType.String or ProtoType.Bytes or ProtoType.Message)
        {
            var bytes = LengthDelimited(ref reader, wire, field, owner);
            if (field.Type == ProtoType.Message) return Nested(bytes, field.Message!);
            if (bytes.IsEmpty && zero == Zero.Omit) return null;
            return field.Type == ProtoType.String ? Encoding.UTF8.GetString(bytes) : Convert.ToBase64String(bytes);
        }
        if (wire != WireType.Varint) throw WrongWireType(field, owner, wire);
        var v = reader.ReadVarint();
        return v == 0 && zero == Zero.Omit ? null : Varint(v, field.Type);
    }

    /// <summary>Go's decoding of a varint: int32 keeps the low 32 bits, as a negative int32 is sign-extended to ten bytes.</summary>
    static JsonNode Varint(ulong v, ProtoType type) => type switch
    {
        ProtoType.Bool => v != 0,
        ProtoType.Int32 => (int)v,
        _ => (long)v,
    };

    static JsonNode? Nested(ReadOnlySpan<byte> bytes, ProtoMessage message)
    {
        var obj = DecodeMessage(bytes, message);
        return message.Render is { } render ? render(obj) : obj;
    }

    static ReadOnlySpan<byte> LengthDelimited(ref ProtoReader reader, WireType wire, ProtoField field, ProtoMessage owner) =>
        wire == WireType.LengthDelimited ? reader.ReadLengthDelimited() : throw WrongWireType(field, owner, wire);

    static FormatException WrongWireType(ProtoField field, ProtoMessage owner, WireType wire) =>
        new($"field {field.Number} of {owner.Name} has wire type {(int)wire}, which does not fit its type {field.Type}");

    static ApiException UnknownField(string message, int number) => Unsupported(
        $"protobuf field {number} of {message} is not known to the lab, which refuses the body rather than drop the field");

    static ApiException Unsupported(string why) => new(415, "UnsupportedMediaType",
        $"{why}; send the object as application/json instead (kubectl: create -f or apply -f with a manifest)");
}
