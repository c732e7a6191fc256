using System.Net.Sockets;

namespace Proxyless.Transport;

/// <summary>
/// The plaintext stream (after TLS) of one HTTP/2 connection, between SocketsHttpHandler and the socket. It follows
/// the frames in both directions and does three things SocketsHttpHandler cannot be asked to do:
/// <list type="bullet">
/// <item>tells its subchannel when the server's first SETTINGS frame arrives (the connection is READY), when the
/// server sends GOAWAY, and when the connection dies. SETTINGS and GOAWAY are told only once SocketsHttpHandler has
/// processed them (it asks for more data only after handling every whole frame it has), so a subchannel never acts
/// on a connection state SocketsHttpHandler has not reached yet;</item>
/// <item>when the connection dies (end of stream, a failed read or write, or an unanswered keepalive ping), hands
/// SocketsHttpHandler a GOAWAY whose last-stream-id is the highest stream whose HEADERS were written successfully,
/// then the error. Streams above it provably never reached the server, so SocketsHttpHandler treats them as refused
/// and sends them again (as gRPC's transparent retry requires) instead of failing them with the connection;</item>
/// <item>enforces the keepalive ping timeout itself, so a frozen server is a transport failure (UNAVAILABLE), not
/// the HTTP/2 PROTOCOL_ERROR (INTERNAL) SocketsHttpHandler would report.</item>
/// </list>
/// SocketsHttpHandler's HTTP/2 connection reads with one loop and writes with another, so each direction has one
/// caller at a time; the two directions meet only under <c>_lock</c>.
/// </summary>
internal sealed class ConnectionStream : Stream
{
    private readonly Stream _inner;
    private readonly IConnectionOwner _owner;
    private readonly string _peer;
    private readonly TimeProvider _timeProvider;
    private readonly TimeSpan _keepAliveTimeout;
    private readonly Http2FrameScanner _inbound = new(prefaceLength: 0);
    private readonly Http2FrameScanner _outbound = new(Http2FrameScanner.ClientPrefaceLength);
    private readonly object _lock = new();
    private int _writtenStreamId;       // highest client stream whose HEADERS a completed write carried
    private int _writingStreamId;       // highest client stream in the write under way, 0 when none
    private bool _settingsReceived;
    private bool _anyByteReceived;
    private bool _goAwayReceived;
    private string? _failure;           // why the connection is dead; set once
    private bool _closedReported;
    private bool _discardWrites;
    private bool _disposed;
    private byte[]? _goAway;            // the GOAWAY being handed to SocketsHttpHandler
    private int _goAwayDelivered;
    private ITimer? _pingTimer;
    private ulong _pingPayload;
    private readonly Queue<(long Frame, string? GoAwayReason)> _pendingEvents = new(); // SETTINGS when the reason is null

    /// <param name="inner">The connected (and, with TLS, authenticated) stream.</param>
    /// <param name="owner">The subchannel.</param>
    /// <param name="peer">The address, for messages.</param>
    /// <param name="timeProvider">Clock for the keepalive timeout.</param>
    /// <param name="keepAliveTimeout">How long a keepalive PING may go unanswered; infinite turns the check off.</param>
    public ConnectionStream(Stream inner, IConnectionOwner owner, string peer, TimeProvider timeProvider, TimeSpan keepAliveTimeout)
    {
        _inner = inner;
        _owner = owner;
        _peer = peer;
        _timeProvider = timeProvider;
        _keepAliveTimeout = keepAliveTimeout;
    }

    /// <summary>The server's SETTINGS arrived, no GOAWAY, not dead: new calls can use this connection.</summary>
    public bool IsUsable
    {
        get
        {
            lock (_lock)
            {
                return _settingsReceived && !_goAwayReceived && _failure is null;
            }
        }
    }

    /// <summary>The server's SETTINGS arrived.</summary>
    public bool IsEstablished
    {
        get
        {
            lock (_lock)
            {
                return _settingsReceived;
            }
        }
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <summary>Kills the connection (a connect attempt timed out, or the subchannel gave up on it).</summary>
    public void Abort(string reason) => Fail(reason, closeInner: true);

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        RaiseProcessedEvents();
        if (TryDeliverGoAway(buffer.Span, out var delivered))
        {
            return delivered;
        }

        int read;
        try
        {
            read = await _inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            return Failed($"the connection broke: {Describe(ex)}", buffer.Span, ex);
        }

        if (read == 0)
        {
            return buffer.IsEmpty ? 0 : Failed("the server closed the connection", buffer.Span, null);
        }

        if (!_anyByteReceived)
        {
            _anyByteReceived = true;
            if (buffer.Span[..read].StartsWith("HTTP/"u8))
            {
                // An HTTP/1.x server answering the connection preface: no point parsing its text as frames.
                return Failed("the server answered in HTTP/1.x, not HTTP/2 (is the endpoint configured for HTTP/2 without TLS?)", buffer.Span, null);
            }
        }

        var observer = new InboundObserver(this);
        _inbound.Scan(buffer.Span[..read], ref observer);
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var observer = new OutboundObserver(this);
        _outbound.Scan(buffer.Span, ref observer);
        lock (_lock)
        {
            if (_failure is not null)
            {
                if (_discardWrites)
                {
                    return; // the connection is dead; SocketsHttpHandler learns it from the read side
                }

                throw new IOException(_failure);
            }

            _writingStreamId = observer.HighestHeadersStreamId;
        }

        try
        {
            await _inner.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            bool discard;
            lock (_lock)
            {
                // A write fails only once the peer is gone: none of its bytes reached a live server.
                _writingStreamId = 0;
                discard = _settingsReceived && !_disposed;
                _discardWrites = discard;
            }

            Fail($"writing to the connection failed: {Describe(ex)}", closeInner: true);
            if (!discard)
            {
                throw;
            }

            // Do not fail SocketsHttpHandler's writer: it would fail every stream on the connection, including those
            // never written. The read side now delivers GOAWAY, then the error.
            return;
        }

        lock (_lock)
        {
            _writtenStreamId = Math.Max(_writtenStreamId, _writingStreamId);
            _writingStreamId = 0;
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async Task FlushAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _inner.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception) when (Volatile.Read(ref _discardWrites))
        {
        }
    }

    // SocketsHttpHandler's HTTP/2 connections only use the asynchronous members.
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override string ToString() => $"connection to {_peer}";

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            lock (_lock)
            {
                _disposed = true;
            }

            Fail("the connection was closed by the client", closeInner: true);
        }

        base.Dispose(disposing);
    }

    private static string Describe(Exception ex)
    {
        for (var e = ex; e is not null; e = e.InnerException)
        {
            if (e is SocketException se)
            {
                return $"{se.Message} ({se.SocketErrorCode})";
            }
        }

        return ex.Message;
    }

    // The read side met the end: hand over GOAWAY (when it can be framed), else the error.
    private int Failed(string reason, Span<byte> buffer, Exception? cause)
    {
        Fail(reason, closeInner: false);
        lock (_lock)
        {
            if (!_disposed && _goAway is null && _settingsReceived && !_goAwayReceived && _inbound.AtFrameBoundary)
            {
                _goAway = Http2Frame.CreateGoAway(Math.Max(_writtenStreamId, _writingStreamId), errorCode: 0);
            }
        }

        if (TryDeliverGoAway(buffer, out var delivered))
        {
            return delivered;
        }

        throw new IOException($"connection to {_peer} lost: {_failure}", cause);
    }

    private bool TryDeliverGoAway(Span<byte> buffer, out int delivered)
    {
        delivered = 0;
        byte[] goAway;
        lock (_lock)
        {
            if (_goAway is null)
            {
                return false;
            }

            if (_goAwayDelivered == _goAway.Length)
            {
                // Delivered: every later read reports why the connection died.
                throw new IOException($"connection to {_peer} lost: {_failure}");
            }

            goAway = _goAway;
        }

        if (buffer.IsEmpty)
        {
            return true; // a zero-byte read waits for data; the GOAWAY is ready
        }

        delivered = Math.Min(buffer.Length, goAway.Length - _goAwayDelivered);
        goAway.AsSpan(_goAwayDelivered, delivered).CopyTo(buffer);
        _goAwayDelivered += delivered;
        return true;
    }

    private void Fail(string reason, bool closeInner)
    {
        bool report;
        ITimer? timer;
        lock (_lock)
        {
            _failure ??= reason;
            report = !_closedReported;
            _closedReported = true;
            timer = _pingTimer;
            _pingTimer = null;
            _pendingEvents.Clear(); // closed says it all
        }

        timer?.Dispose();
        if (closeInner)
        {
            try
            {
                _inner.Dispose(); // wakes the read side
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException or SocketException)
            {
            }
        }

        if (report)
        {
            _owner.OnClosed(this, reason);
        }
    }

    // Called at the start of each read: SocketsHttpHandler has handled every whole frame it was given.
    private void RaiseProcessedEvents()
    {
        while (true)
        {
            (long Frame, string? GoAwayReason) next;
            lock (_lock)
            {
                if (!_pendingEvents.TryPeek(out next) || next.Frame > _inbound.FramesCompleted)
                {
                    return;
                }

                _pendingEvents.Dequeue();
            }

            if (next.GoAwayReason is null)
            {
                _owner.OnSettingsReceived(this);
            }
            else
            {
                _owner.OnGoAway(this, next.GoAwayReason);
            }
        }
    }

    private void OnInboundFrame(in Http2Frame frame)
    {
        switch (frame.Type)
        {
            case Http2Frame.Settings when !frame.IsAck:
                lock (_lock)
                {
                    if (!_settingsReceived)
                    {
                        _settingsReceived = true;
                        _pendingEvents.Enqueue((_inbound.FramesStarted, null));
                    }
                }

                break;

            case Http2Frame.GoAway:
                lock (_lock)
                {
                    _goAwayReceived = true;
                    _pendingEvents.Enqueue((_inbound.FramesStarted, frame.ErrorCode == 0 ? "the server sent GOAWAY" : $"the server sent GOAWAY with HTTP/2 error {frame.ErrorCode}"));
                }

                break;

            case Http2Frame.Ping when frame.IsAck:
                ITimer? answered = null;
                lock (_lock)
                {
                    if (_pingTimer is not null && frame.Prefix == _pingPayload)
                    {
                        answered = _pingTimer;
                        _pingTimer = null;
                    }
                }

                answered?.Dispose();
                break;
        }
    }

    private void OnOutboundPing(in Http2Frame frame)
    {
        // SocketsHttpHandler's keepalive pings carry a positive counter; its RTT-estimation pings are negative.
        if (frame.IsAck || (long)frame.Prefix < 0 || _keepAliveTimeout == Timeout.InfiniteTimeSpan)
        {
            return;
        }

        lock (_lock)
        {
            if (_pingTimer is not null || _failure is not null)
            {
                return;
            }

            _pingPayload = frame.Prefix;
            _pingTimer = _timeProvider.CreateTimer(
                static state => ((ConnectionStream)state!).OnKeepAliveTimeout(),
                this,
                _keepAliveTimeout,
                Timeout.InfiniteTimeSpan);
        }
    }

    private void OnKeepAliveTimeout()
        => Fail(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"no reply to a keepalive ping within {_keepAliveTimeout.TotalSeconds:0.###}s"), closeInner: true);

    private readonly struct InboundObserver(ConnectionStream owner) : IHttp2FrameObserver
    {
        public void OnFrame(in Http2Frame frame) => owner.OnInboundFrame(frame);
    }

    private struct OutboundObserver(ConnectionStream owner) : IHttp2FrameObserver
    {
        public int HighestHeadersStreamId { get; private set; }

        public void OnFrame(in Http2Frame frame)
        {
            if (frame.Type == Http2Frame.Headers)
            {
                HighestHeadersStreamId = Math.Max(HighestHeadersStreamId, frame.StreamId);
            }
            else if (frame.Type == Http2Frame.Ping)
            {
                owner.OnOutboundPing(frame);
            }
        }
    }
}
