using System.Collections.Frozen;
using System.Text.Json.Nodes;

namespace KubeRescue.Lab.ApiServer.Objects.Protobuf;

/// <summary>What a field holds: a scalar read from a varint or a length-delimited value, or a nested message.</summary>
public enum ProtoType { String, Bytes, Bool, Int32, Int64, Message }

public enum Shape
{
    Single,
    Repeated,
    /// <summary><c>map&lt;string, V&gt;</c>: repeated entries with the key as field 1 and the value as field 2.</summary>
    Map,
    /// <summary>A Go embedded struct (<c>json:",inline"</c>): a nested message on the wire, its fields the parent's in JSON.</summary>
    Inline,
}

/// <summary>
/// Whether a zero scalar (<c>""</c>, 0, false) reaches the JSON. Go's generated marshallers write every
/// non-pointer field, so a zero on the wire usually means "unset" and <c>omitempty</c> drops it; a pointer field
/// is only written when set, and a field without <c>omitempty</c> is always in the JSON, so those keep it.
/// </summary>
public enum Zero { Omit, Keep }

/// <summary>One field of a message: its number, its JSON name and what it holds.</summary>
public sealed record ProtoField(int Number, string Json, ProtoType Type, Shape Shape = Shape.Single, ProtoMessage? Message = null, Zero Zero = Zero.Omit);

/// <summary>
/// A protobuf message as upstream's generated.proto declares it, with the fields in the order the Go struct (and
/// so the JSON) has them. <see cref="Render"/> turns a message whose JSON form is not an object (Time, Quantity,
/// IntOrString) into that form; null from it leaves the field out.
/// </summary>
public sealed class ProtoMessage
{
    readonly FrozenDictionary<int, int> _indexByNumber;

    public ProtoMessage(string name, params ProtoField[] fields)
    {
        Name = name;
        Fields = fields;
        _indexByNumber = fields.Select((f, i) => KeyValuePair.Create(f.Number, i)).ToFrozenDictionary();
    }

    /// <summary>The fully qualified protobuf name, e.g. <c>k8s.io.api.core.v1.PodSpec</c>.</summary>
    public string Name { get; }

    public IReadOnlyList<ProtoField> Fields { get; }

    public Func<JsonObject, JsonNode?>? Render { get; init; }

    /// <summary>The index of the field with this number in <see cref="Fields"/>, or -1.</summary>
    public int IndexOf(int number) => _indexByNumber.TryGetValue(number, out var i) ? i : -1;

    public override string ToString() => Name;
}

/// <summary>Shorthands the schema tables are written in.</summary>
static class Field
{
    public static ProtoField Str(int number, string json, Zero zero = Zero.Omit) => new(number, json, ProtoType.String, Zero: zero);
    public static ProtoField Strs(int number, string json) => new(number, json, ProtoType.String, Shape.Repeated);
    public static ProtoField Bool(int number, string json, Zero zero = Zero.Omit) => new(number, json, ProtoType.Bool, Zero: zero);
    public static ProtoField Int32(int number, string json, Zero zero = Zero.Omit) => new(number, json, ProtoType.Int32, Zero: zero);
    public static ProtoField Int64(int number, string json, Zero zero = Zero.Omit) => new(number, json, ProtoType.Int64, Zero: zero);
    public static ProtoField Int64s(int number, string json) => new(number, json, ProtoType.Int64, Shape.Repeated);
    public static ProtoField Bytes(int number, string json) => new(number, json, ProtoType.Bytes);
    public static ProtoField Msg(int number, string json, ProtoMessage message) => new(number, json, ProtoType.Message, Message: message);
    public static ProtoField Msgs(int number, string json, ProtoMessage message) => new(number, json, ProtoType.Message, Shape.Repeated, message);
    public static ProtoField Inline(int number, ProtoMessage message) => new(number, "", ProtoType.Message, Shape.Inline, message);
    public static ProtoField StrMap(int number, string json) => new(number, json, ProtoType.String, Shape.Map);
    public static ProtoField BytesMap(int number, string json) => new(number, json, ProtoType.Bytes, Shape.Map);
    public static ProtoField MsgMap(int number, string json, ProtoMessage message) => new(number, json, ProtoType.Message, Shape.Map, message);
}
