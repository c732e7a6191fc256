using System.Buffers.Binary;

namespace Proxyless.Transport;

/// <summary>One HTTP/2 frame as seen by <see cref="Http2FrameScanner"/>: its header and the first bytes of its payload.</summary>
/// <param name="Type">The frame type (0 DATA, 1 HEADERS, 4 SETTINGS, 6 PING, 7 GOAWAY, ...).</param>
/// <param name="Flags">The frame flags.</param>
/// <param name="StreamId">The stream identifier (0 for connection frames).</param>
/// <param name="Prefix">The payload's first 8 bytes, big-endian, for PING and GOAWAY; 0 for other types.</param>
internal readonly record struct Http2Frame(byte Type, byte Flags, int StreamId, ulong Prefix)
{
    public const byte Headers = 0x1;
    public const byte Settings = 0x4;
    public const byte Ping = 0x6;
    public const byte GoAway = 0x7;
    public const byte AckFlag = 0x1;

    public bool IsAck => (Flags & AckFlag) != 0;

    /// <summary>GOAWAY's last-stream-id.</summary>
    public int LastStreamId => (int)((Prefix >> 32) & 0x7FFF_FFFF);

    /// <summary>GOAWAY's error code.</summary>
    public uint ErrorCode => (uint)Prefix;

    /// <summary>Builds a GOAWAY frame (header and 8-byte payload).</summary>
    public static byte[] CreateGoAway(int lastStreamId, uint errorCode)
    {
        var frame = new byte[Http2FrameScanner.FrameHeaderLength + 8];
        frame[2] = 8;
        frame[3] = GoAway;
        BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(9), lastStreamId & 0x7FFF_FFFF);
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(13), errorCode);
        return frame;
    }

    /// <summary>Builds an RST_STREAM frame (header and 4-byte error code).</summary>
    public static byte[] CreateRstStream(int streamId, uint errorCode)
    {
        var frame = new byte[Http2FrameScanner.FrameHeaderLength + 4];
        frame[2] = 4;
        frame[3] = 0x3;
        BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(5), streamId & 0x7FFF_FFFF);
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(9), errorCode);
        return frame;
    }
}
