namespace Proxyless.Diagnostics;

/// <summary>
/// Counts the message bytes in a gRPC body as it passes (gRFC A66's compressed message size): each message is a 5-byte
/// prefix (compressed flag, 4-byte big-endian length) and its payload; only payload bytes count. Bytes may arrive in
/// any split. A mutable struct kept in a field of its owner (so counting allocates nothing); one writer or one reader
/// feeds it.
/// </summary>
internal struct MessageSizeCounter
{
    private const int PrefixLength = 5;
    private int _prefixSeen; // bytes of the current prefix seen so far
    private uint _length; // the length field as read so far
    private long _payloadLeft;

    /// <summary>Payload bytes seen so far (a message cut short counts what arrived).</summary>
    public long PayloadBytes { get; private set; }

    /// <summary>Messages whose prefix was seen (the payload may still be arriving).</summary>
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

            if (_prefixSeen > 0)
            {
                _length = (_length << 8) | data[0]; // bytes 1 to 4 of the prefix: the length, big-endian
            }

            data = data[1..];
            if (++_prefixSeen == PrefixLength)
            {
                _payloadLeft = _length;
                (_prefixSeen, _length) = (0, 0);
                Messages++;
            }
        }
    }
}
