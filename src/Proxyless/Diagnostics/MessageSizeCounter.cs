using System.Buffers.Binary;

namespace Proxyless.Diagnostics;

/// <summary>
/// Counts the message bytes in a gRPC body as it passes (gRFC A66's compressed message size): each message is a 5-byte
/// prefix (compressed flag, 4-byte big-endian length) and its payload; only payload bytes count. Bytes may arrive in
/// any split. Not thread-safe: one writer or one reader feeds it.
/// </summary>
internal sealed class MessageSizeCounter
{
    private const int PrefixLength = 5;
    private readonly byte[] _prefix = new byte[PrefixLength];
    private int _prefixFilled;
    private long _payloadLeft;

    /// <summary>Payload bytes seen so far (a message cut short counts what arrived).</summary>
    public long PayloadBytes { get; private set; }

    /// <summary>Whole messages seen so far (prefix read; the payload may still be arriving).</summary>
    public int Messages { get; private set; }

    /// <summary>Feeds the next bytes of the body.</summary>
    public void Observe(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            if (_payloadLeft > 0)
            {
                var take = (int)Math.Min(_payloadLeft, data.Length);
                _payloadLeft -= take;
                PayloadBytes += take;
                data = data[take..];
                continue;
            }

            var copy = Math.Min(PrefixLength - _prefixFilled, data.Length);
            data[..copy].CopyTo(_prefix.AsSpan(_prefixFilled));
            _prefixFilled += copy;
            data = data[copy..];
            if (_prefixFilled == PrefixLength)
            {
                _prefixFilled = 0;
                _payloadLeft = BinaryPrimitives.ReadUInt32BigEndian(_prefix.AsSpan(1));
                Messages++;
            }
        }
    }
}
