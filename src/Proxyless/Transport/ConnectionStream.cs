namespace Proxyless.Transport;

/// <summary>
/// Wraps one HTTP/2 connection's plaintext stream (after TLS) and tells its owner, once, when the connection is lost:
/// the server closed it (read returned 0), it broke (a read or write threw), the server sent GOAWAY (found by
/// following the HTTP/2 frame headers on the read side), or the client disposed it.
/// </summary>
internal sealed class ConnectionStream(Stream inner, Action<string> onLost) : ObservedStream(inner)
{
    private const int FrameHeaderLength = 9;
    private const byte GoAwayFrameType = 0x7;

    private readonly byte[] _header = new byte[FrameHeaderLength];
    private int _headerFilled;
    private long _payloadRemaining;
    private int _lost;

    protected override void OnEndOfStream() => Lost("the server closed the connection");

    protected override void OnFailed(Exception exception)
    {
        if (exception is not OperationCanceledException)
        {
            Lost($"the connection broke: {exception.Message}");
        }
    }

    protected override void OnDisposing() => Lost("the connection was closed by the client");

    // Follows the server-to-client frame sequence (9-byte header, then 'length' bytes of payload) to spot GOAWAY.
    protected override void OnData(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            if (_payloadRemaining > 0)
            {
                var skip = (int)Math.Min(_payloadRemaining, data.Length);
                _payloadRemaining -= skip;
                data = data[skip..];
                continue;
            }

            var take = Math.Min(FrameHeaderLength - _headerFilled, data.Length);
            data[..take].CopyTo(_header.AsSpan(_headerFilled));
            _headerFilled += take;
            data = data[take..];
            if (_headerFilled < FrameHeaderLength)
            {
                return;
            }

            _headerFilled = 0;
            _payloadRemaining = (_header[0] << 16) | (_header[1] << 8) | _header[2];
            if (_header[3] == GoAwayFrameType)
            {
                Lost("the server sent GOAWAY");
            }
        }
    }

    private void Lost(string reason)
    {
        if (Interlocked.Exchange(ref _lost, 1) == 0)
        {
            onLost(reason);
        }
    }
}
