using System.Buffers;
using CriO.Server.Http2;

namespace CriO.Server.Tests.Http2;

/// <summary>One HTTP/2 frame as a test writes or reads it.</summary>
internal sealed record Http2TestFrame(byte Type, byte Flags, int StreamId, byte[] Payload)
{
    public const byte Data = 0x0;
    public const byte Headers = 0x1;
    public const byte RstStream = 0x3;
    public const byte Settings = 0x4;
    public const byte Ping = 0x6;
    public const byte GoAway = 0x7;
    public const byte WindowUpdate = 0x8;
    public const byte Continuation = 0x9;

    public static byte[] Preface => "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray();

    public bool HasFlag(byte flag) => (Flags & flag) != 0;

    public byte[] ToBytes()
    {
        var bytes = new byte[Http2FrameHeader.Size + Payload.Length];
        new Http2FrameHeader(Payload.Length, Type, Flags, StreamId).WriteTo(bytes);
        Payload.CopyTo(bytes, Http2FrameHeader.Size);
        return bytes;
    }

    /// <summary>Splits <paramref name="bytes"/> into frames; throws if the last one is cut short.</summary>
    public static List<Http2TestFrame> ParseAll(ReadOnlySpan<byte> bytes)
    {
        var frames = new List<Http2TestFrame>();
        while (!bytes.IsEmpty)
        {
            Http2FrameHeader header = Http2FrameHeader.Parse(bytes);
            byte[] payload = bytes.Slice(Http2FrameHeader.Size, header.Length).ToArray();
            frames.Add(new Http2TestFrame(header.Type, header.Flags, header.StreamId, payload));
            bytes = bytes[(Http2FrameHeader.Size + header.Length)..];
        }

        return frames;
    }

    public static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();

    public static byte[] Block(Action<ArrayBufferWriter<byte>> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        write(buffer);
        return buffer.WrittenSpan.ToArray();
    }
}
