namespace CriO.Server.Streaming.Spdy;

/// <summary>
/// SPDY/3 framing (draft 3.1): every frame has an 8-byte head. A control frame's starts with
/// the control bit and version 3, then its type (16 bits), flags (8) and length (24); a data
/// frame's with its stream id (31 bits), then flags and length. Numbers are big-endian.
/// </summary>
internal static class SpdyFrames
{
    public const int Version = 3;
    public const int HeadLength = 8;
    public const int MaxLength = (1 << 24) - 1;

    public const ushort SynStream = 1;
    public const ushort SynReply = 2;
    public const ushort RstStream = 3;
    public const ushort Settings = 4;
    public const ushort Ping = 6;
    public const ushort GoAway = 7;
    public const ushort Headers = 8;
    public const ushort WindowUpdate = 9;

    /// <summary>FLAG_FIN on data, SYN_STREAM, SYN_REPLY and HEADERS frames: the sender's last frame on the stream.</summary>
    public const byte FlagFin = 0x01;

    /// <summary>FLAG_UNIDIRECTIONAL on SYN_STREAM: the receiver may not send on the stream.</summary>
    public const byte FlagUnidirectional = 0x02;

    /// <summary>SETTINGS_INITIAL_WINDOW_SIZE.</summary>
    public const int SettingsInitialWindowSize = 7;

    /// <summary>The flow-control window every stream and the session start with (64 KiB).</summary>
    public const int InitialWindow = 64 * 1024;

    // RST_STREAM status codes.
    public const int ProtocolError = 1;
    public const int InvalidStream = 2;
    public const int RefusedStream = 3;
    public const int Cancel = 5;
    public const int FlowControlError = 7;
    public const int StreamInUse = 8;

    // GOAWAY status codes.
    public const int GoAwayOk = 0;
    public const int GoAwayProtocolError = 1;
    public const int GoAwayInternalError = 2;
}
