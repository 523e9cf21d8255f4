using System.Text;

namespace KubeRescue.Lab.Tests.Objects;

/// <summary>
/// Writes protobuf wire format field by field, in the order given, for tests to build what a Go client sends.
/// Zero values are written when asked for, as Go's generated marshallers write every non-pointer field.
/// </summary>
sealed class Pb
{
    readonly List<byte> _bytes = [];

    public Pb Str(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

    public Pb Bytes(int field, byte[] value)
    {
        Tag(field, 2);
        Varint((ulong)value.Length);
        _bytes.AddRange(value);
        return this;
    }

    public Pb Msg(int field, Pb message) => Bytes(field, message.ToArray());

    /// <summary>A varint field; a negative number is sign-extended to ten bytes, as Go writes an int32 or int64.</summary>
    public Pb Int(int field, long value)
    {
        Tag(field, 0);
        Varint((ulong)value);
        return this;
    }

    public Pb Bool(int field, bool value) => Int(field, value ? 1 : 0);

    /// <summary>One entry of a map&lt;string, string&gt;.</summary>
    public Pb Entry(int field, string key, string value) => Msg(field, new Pb().Str(1, key).Str(2, value));

    /// <summary>One entry of a map&lt;string, message&gt;.</summary>
    public Pb Entry(int field, string key, Pb value) => Msg(field, new Pb().Str(1, key).Msg(2, value));

    public byte[] ToArray() => [.. _bytes];

    void Tag(int field, int wireType) => Varint((ulong)(field << 3 | wireType));

    void Varint(ulong value)
    {
        while (value >= 0x80)
        {
            _bytes.Add((byte)(value | 0x80));
            value >>= 7;
        }
        _bytes.Add((byte)value);
    }

    /// <summary>The body a client sends: "k8s\0", then a runtime.Unknown holding the TypeMeta and the object's bytes.</summary>
    public static byte[] Envelope(string apiVersion, string kind, Pb obj) =>
        [.. "k8s\0"u8, .. new Pb().Msg(1, new Pb().Str(1, apiVersion).Str(2, kind)).Msg(2, obj).Str(3, "").Str(4, "").ToArray()];

    public static Pb Quantity(string value) => new Pb().Str(1, value);

    public static Pb IntOrString(int value) => new Pb().Int(1, 0).Int(2, value).Str(3, "");

    public static Pb IntOrString(string value) => new Pb().Int(1, 1).Int(2, 0).Str(3, value);

    public static Pb Time(long seconds, int nanos = 0) => new Pb().Int(1, seconds).Int(2, nanos);

    /// <summary>ObjectMeta as Go writes a new object's: every string and the generation, zero or not.</summary>
    public static Pb Meta(string name, string ns = "") =>
        new Pb().Str(1, name).Str(2, "").Str(3, ns).Str(4, "").Str(5, "").Str(6, "").Int(7, 0).Msg(8, new Pb());
}
