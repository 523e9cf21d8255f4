namespace KubeRescue.Lab.ApiServer.Objects.Protobuf;

/// <summary>The protobuf wire types; 3 and 4 (groups) never occur in Kubernetes messages and read as malformed.</summary>
public enum WireType
{
    Varint = 0,
    Fixed64 = 1,
    LengthDelimited = 2,
    Fixed32 = 5,
}

/// <summary>
/// Reads protobuf wire format from a span. Every way the bytes can be cut short or lie about a length is a
/// <see cref="FormatException"/>, which the API server answers as a 400: a body is the client's to get right.
/// </summary>
public ref struct ProtoReader(ReadOnlySpan<byte> data)
{
    readonly ReadOnlySpan<byte> _data = data;
    int _position;

    public readonly bool AtEnd => _position >= _data.Length;

    /// <summary>The next field's number and wire type, or false at the end of the message.</summary>
    public bool TryReadTag(out int number, out WireType wire)
    {
        number = 0;
        wire = default;
        if (AtEnd) return false;
        var tag = ReadVarint();
        var type = (int)(tag & 7);
        if (type is not (0 or 1 or 2 or 5)) throw new FormatException($"invalid wire type {type} at offset {_position}");
        if (tag >> 3 is 0 or > int.MaxValue) throw new FormatException($"invalid field number {tag >> 3} at offset {_position}");
        number = (int)(tag >> 3);
        wire = (WireType)type;
        return true;
    }

    public ulong ReadVarint()
    {
        ulong value = 0;
        for (var shift = 0; shift < 70; shift += 7)
        {
            if (AtEnd) throw new FormatException("truncated varint");
            var b = _data[_position++];
            value |= (ulong)(b & 0x7f) << shift;
            if (b < 0x80) return value;
        }
        throw new FormatException($"varint longer than 10 bytes at offset {_position}");
    }

    public ReadOnlySpan<byte> ReadLengthDelimited()
    {
        var length = ReadVarint();
        if (length > (ulong)(_data.Length - _position))
            throw new FormatException($"length {length} at offset {_position} runs past the end of the data ({_data.Length - _position} bytes left)");
        var bytes = _data.Slice(_position, (int)length);
        _position += (int)length;
        return bytes;
    }
}
