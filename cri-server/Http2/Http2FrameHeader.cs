using System.Buffers;
using System.Buffers.Binary;

namespace CriO.Server.Http2;

/// <summary>
/// The 9-octet header that starts every HTTP/2 frame (RFC 9113 §4.1): 24-bit payload length,
/// 8-bit type, 8-bit flags, a reserved bit and a 31-bit stream id.
/// </summary>
internal readonly record struct Http2FrameHeader(int Length, byte Type, byte Flags, int StreamId)
{
    public const int Size = 9;

    public const byte TypeHeaders = 0x1;
    public const byte TypeContinuation = 0x9;

    public const byte FlagEndStream = 0x1;
    public const byte FlagEndHeaders = 0x4;
    public const byte FlagPadded = 0x8;
    public const byte FlagPriority = 0x20;

    /// <summary>Reads a header if 9 octets are there, leaving the reader after it.</summary>
    public static bool TryRead(ref SequenceReader<byte> reader, out Http2FrameHeader header)
    {
        Span<byte> octets = stackalloc byte[Size];
        if (!reader.TryCopyTo(octets))
        {
            header = default;
            return false;
        }

        reader.Advance(Size);
        header = Parse(octets);
        return true;
    }

    public static Http2FrameHeader Parse(ReadOnlySpan<byte> octets) => new(
        Length: (octets[0] << 16) | (octets[1] << 8) | octets[2],
        Type: octets[3],
        Flags: octets[4],
        // The reserved bit has no meaning and must be ignored on receipt (§4.1).
        StreamId: BinaryPrimitives.ReadInt32BigEndian(octets[5..]) & 0x7fffffff);

    public void WriteTo(Span<byte> destination)
    {
        destination[0] = (byte)(Length >> 16);
        destination[1] = (byte)(Length >> 8);
        destination[2] = (byte)Length;
        destination[3] = Type;
        destination[4] = Flags;
        BinaryPrimitives.WriteInt32BigEndian(destination[5..], StreamId);
    }

    public bool HasFlag(byte flag) => (Flags & flag) != 0;
}
