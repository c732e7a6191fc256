using System.Buffers.Binary;

namespace Proxyless.Tests.Support;

/// <summary>Builds raw HTTP/2 frames for tests that speak the protocol at frame level.</summary>
internal static class Http2Frames
{
    /// <summary>A frame: 9-byte header (length, type, flags, stream id) and payload.</summary>
    public static byte[] Create(byte type, byte flags, int streamId, byte[] payload)
    {
        var frame = new byte[9 + payload.Length];
        frame[0] = (byte)(payload.Length >> 16);
        frame[1] = (byte)(payload.Length >> 8);
        frame[2] = (byte)payload.Length;
        frame[3] = type;
        frame[4] = flags;
        BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(5), streamId);
        payload.CopyTo(frame, 9);
        return frame;
    }
}
