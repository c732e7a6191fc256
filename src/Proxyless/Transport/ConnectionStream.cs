namespace Proxyless.Transport;

/// <summary>
/// Wraps one HTTP/2 connection's plaintext stream (after TLS) and tells its owner, once, when the connection is lost:
/// the server closed it (read returned 0), it broke (a read or write threw), the server sent GOAWAY (found by
/// following the HTTP/2 frame headers on the read side), or the client disposed it.
/// </summary>
internal sealed class ConnectionStream : Stream
{
    private const int FrameHeaderLength = 9;
    private const byte GoAwayFrameType = 0x7;

    private readonly Stream _inner;
    private readonly Action<string> _onLost;
    private readonly byte[] _header = new byte[FrameHeaderLength];
    private int _headerFilled;
    private long _payloadRemaining;
    private int _lost;

    public ConnectionStream(Stream inner, Action<string> onLost)
    {
        _inner = inner;
        _onLost = onLost;
    }

    public override bool CanRead => _inner.CanRead;

    public override bool CanSeek => false;

    public override bool CanWrite => _inner.CanWrite;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int read;
        try
        {
            read = await _inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Lost($"the connection broke: {ex.Message}");
            throw;
        }

        // SocketsHttpHandler issues zero-byte reads to wait for data: 0 from an empty buffer is not end-of-stream.
        if (read == 0 && buffer.Length > 0)
        {
            Lost("the server closed the connection");
        }
        else if (read > 0)
        {
            Inspect(buffer.Span[..read]);
        }

        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int read;
        try
        {
            read = _inner.Read(buffer);
        }
        catch (Exception ex)
        {
            Lost($"the connection broke: {ex.Message}");
            throw;
        }

        if (read == 0 && buffer.Length > 0)
        {
            Lost("the server closed the connection");
        }
        else if (read > 0)
        {
            Inspect(buffer[..read]);
        }

        return read;
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        try
        {
            await _inner.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Lost($"the connection broke: {ex.Message}");
            throw;
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) => _inner.Write(buffer, offset, count);

    public override void Write(ReadOnlySpan<byte> buffer) => _inner.Write(buffer);

    public override void Flush() => _inner.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => _inner.FlushAsync(cancellationToken);

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Lost("the connection was closed by the client");
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        Lost("the connection was closed by the client");
        await _inner.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }

    private void Lost(string reason)
    {
        if (Interlocked.Exchange(ref _lost, 1) == 0)
        {
            _onLost(reason);
        }
    }

    // Follows the server-to-client frame sequence (9-byte header, then 'length' bytes of payload) to spot GOAWAY.
    private void Inspect(ReadOnlySpan<byte> data)
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
}
