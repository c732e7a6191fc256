using System.Globalization;
using System.Net.Sockets;

namespace Proxyless.Transport;

/// <summary>
/// The plaintext stream (after TLS) of one HTTP/2 connection, between SocketsHttpHandler and the socket. It follows
/// the frames in both directions and does what SocketsHttpHandler cannot be asked to do:
/// <list type="bullet">
/// <item>tells its subchannel when the server's first SETTINGS frame arrives (the connection is READY), when the
/// server sends GOAWAY, and when the connection dies. SETTINGS and GOAWAY are told only once SocketsHttpHandler has
/// processed them (it asks for more data only after handling every whole frame it has), so a subchannel never acts
/// on a connection state SocketsHttpHandler has not reached yet;</item>
/// <item>when the connection dies (end of stream, a failed read or write, an unanswered keepalive ping), it never
/// lets SocketsHttpHandler abort the connection, because an abort fails every request on it, including requests
/// whose HEADERS were still queued and never written. Instead it hands over, frame by frame: a GOAWAY whose
/// last-stream-id is the highest stream whose HEADERS were written (unless the server sent its own), so every
/// stream above it is refused and resent; an RST_STREAM with <see cref="ConnectionLostErrorCode"/> for each written
/// stream still waiting for its response, which the channel reports as UNAVAILABLE; then nothing, until
/// SocketsHttpHandler, its last stream released, disposes the connection;</item>
/// <item>enforces the keepalive ping timeout itself, so a frozen server is a transport failure (UNAVAILABLE), not
/// the HTTP/2 PROTOCOL_ERROR (INTERNAL) SocketsHttpHandler would report.</item>
/// </list>
/// SocketsHttpHandler's HTTP/2 connection reads with one loop and writes with another, so each direction has one
/// caller at a time; the two directions meet only under <c>_lock</c>.
/// </summary>
internal sealed class ConnectionStream : Stream
{
    /// <summary>
    /// The HTTP/2 error code of the RST_STREAM frames this stream hands to SocketsHttpHandler for streams that were in
    /// flight when the connection died ("pxls"). No server sends it; the channel turns it into UNAVAILABLE.
    /// </summary>
    public const uint ConnectionLostErrorCode = 0x70786C73;

    private const byte RstStream = 0x3;
    private const byte EndStreamFlag = 0x1;

    private readonly Stream _inner;
    private readonly IConnectionOwner _owner;
    private readonly string _peer;
    private readonly TimeProvider _timeProvider;
    private readonly TimeSpan _keepAliveTimeout;
    private readonly Http2FrameScanner _inbound = new(prefaceLength: 0);
    private readonly Http2FrameScanner _outbound = new(Http2FrameScanner.ClientPrefaceLength);
    private readonly object _lock = new();
    private readonly Queue<(long Frame, ConnectionEnd? GoAway)> _pendingEvents = new(); // SETTINGS when there is no GOAWAY
    private readonly HashSet<int> _openStreams = [];    // HEADERS written (or being written), response not ended
    private readonly List<int> _writing = [];           // streams whose HEADERS are in the write under way
    private readonly TaskCompletionSource _disposedSignal = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _writtenStreamId;                        // highest client stream whose HEADERS a completed write carried
    private bool _settingsReceived;
    private bool _anyByteReceived;
    private int? _serverLastStreamId;                    // the last-stream-id of the server's GOAWAY
    private ConnectionEnd? _goAway;
    private ConnectionEnd? _failure;                     // why the connection is dead; set once
    private bool _closedReported;
    private bool _disposed;
    private byte[]? _farewell;                           // the frames being handed to SocketsHttpHandler
    private int _farewellDelivered;
    private ITimer? _pingTimer;
    private ulong _pingPayload;

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
                return _settingsReceived && _serverLastStreamId is null && _failure is null;
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
    public void Abort(string reason) => Fail(new ConnectionEnd(reason, Diagnostics.SubchannelMetrics.Unknown), closeInner: true);

    // Pooled: a read that waits for data (most of them, on a connection or a response body) would otherwise allocate its
    // state machine per read.
    [System.Runtime.CompilerServices.AsyncMethodBuilder(typeof(System.Runtime.CompilerServices.PoolingAsyncValueTaskMethodBuilder<>))]
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        RaiseProcessedEvents();
        if (TryDeliverFarewell(buffer.Span, out var delivered))
        {
            return delivered;
        }

        if (IsFarewellDone)
        {
            // Everything was said; SocketsHttpHandler disposes the connection once its last stream is released.
            await _disposedSignal.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            throw new ObjectDisposedException(ToString());
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
            return await FailedAsync($"the connection broke: {Describe(ex)}", buffer, ex, cancellationToken).ConfigureAwait(false);
        }

        if (read == 0)
        {
            return buffer.IsEmpty ? 0 : await FailedAsync("the server closed the connection", buffer, null, cancellationToken).ConfigureAwait(false);
        }

        if (!_anyByteReceived)
        {
            _anyByteReceived = true;
            if (buffer.Span[..read].StartsWith("HTTP/"u8))
            {
                // An HTTP/1.x server answering the connection preface: no point parsing its text as frames.
                return await FailedAsync("the server answered in HTTP/1.x, not HTTP/2 (is the endpoint configured for HTTP/2 without TLS?)", buffer, null, cancellationToken).ConfigureAwait(false);
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
                if (_settingsReceived && !_disposed)
                {
                    // Dead, whichever side found out: SocketsHttpHandler learns it from the read side. Failing its
                    // writer now would fail every stream, including ones never written.
                    _writing.Clear();
                    return;
                }

                throw new IOException($"connection to {_peer} lost: {_failure?.Reason}");
            }

            foreach (var id in _writing)
            {
                _openStreams.Add(id); // not UnionWith: it takes an IEnumerable and would box the list's enumerator
            }
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
                _openStreams.ExceptWith(_writing);
                _writing.Clear();
                discard = _settingsReceived && !_disposed;
            }

            // When the read side will hand over the farewell, the connection is left open for it to read to the end
            // first: a server that stopped gracefully sent a GOAWAY before closing, and only that frame tells which
            // written streams it never accepted (they are refused and resent, not reported lost). Its close makes
            // that read end at once.
            Fail(new ConnectionEnd($"writing to the connection failed: {Describe(ex)}", Diagnostics.SubchannelMetrics.DisconnectErrorOf(ex)), closeInner: !discard);
            if (!discard)
            {
                throw;
            }

            return; // the read side now hands SocketsHttpHandler the farewell frames
        }

        lock (_lock)
        {
            foreach (var id in _writing)
            {
                _writtenStreamId = Math.Max(_writtenStreamId, id);
            }

            _writing.Clear();
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
        catch (Exception) when (IsDead)
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
            ConnectionEnd end;
            lock (_lock)
            {
                _disposed = true;
                end = _goAway ?? new ConnectionEnd("the connection was closed by the client", Diagnostics.SubchannelMetrics.Unknown); // after GOAWAY, that is why
            }

            Fail(end, closeInner: true);
            _disposedSignal.TrySetResult();
        }

        base.Dispose(disposing);
    }

    private bool IsDead
    {
        get
        {
            lock (_lock)
            {
                return _failure is not null;
            }
        }
    }

    private bool IsFarewellDone
    {
        get
        {
            lock (_lock)
            {
                return _farewell is not null && _farewellDelivered == _farewell.Length;
            }
        }
    }

    private static string Describe(Exception ex) => SocketErrors.Find(ex) is { } socket ? SocketErrors.Describe(socket) : ex.Message;

    // The read side met the end. When it can speak HTTP/2 to SocketsHttpHandler (the server's SETTINGS arrived, and
    // the last frame handed over was whole), it hands over the farewell frames; otherwise the error.
    private async ValueTask<int> FailedAsync(string reason, Memory<byte> buffer, Exception? cause, CancellationToken cancellationToken)
    {
        Fail(new ConnectionEnd(reason, cause is null ? Diagnostics.SubchannelMetrics.Unknown : Diagnostics.SubchannelMetrics.DisconnectErrorOf(cause)), closeInner: false);
        lock (_lock)
        {
            if (!_disposed && _farewell is null && _settingsReceived && _inbound.AtFrameBoundary)
            {
                _farewell = BuildFarewell();
            }
        }

        if (TryDeliverFarewell(buffer.Span, out var delivered))
        {
            return delivered;
        }

        if (IsFarewellDone)
        {
            await _disposedSignal.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            throw new ObjectDisposedException(ToString());
        }

        throw new IOException($"connection to {_peer} lost: {_failure?.Reason}", cause);
    }

    // GOAWAY above the last written stream (unless the server sent its own), then RST_STREAM for every written stream
    // at or below it that is still waiting for its response. Called under the lock.
    private byte[] BuildFarewell()
    {
        var frames = new List<byte[]>();
        var last = _serverLastStreamId ?? _writtenStreamId;
        foreach (var id in _openStreams)
        {
            last = _serverLastStreamId ?? Math.Max(last, id); // a stream still being written may have reached the server
        }

        if (_serverLastStreamId is null)
        {
            frames.Add(Http2Frame.CreateGoAway(last, errorCode: 0));
        }

        foreach (var id in _openStreams.Where(id => id <= last).Order())
        {
            frames.Add(Http2Frame.CreateRstStream(id, ConnectionLostErrorCode));
        }

        return [.. frames.SelectMany(f => f)];
    }

    private bool TryDeliverFarewell(Span<byte> buffer, out int delivered)
    {
        delivered = 0;
        byte[] farewell;
        lock (_lock)
        {
            if (_farewell is null || _farewellDelivered == _farewell.Length)
            {
                return false;
            }

            farewell = _farewell;
        }

        if (buffer.IsEmpty)
        {
            return true; // a zero-byte read waits for data; the farewell is ready
        }

        delivered = Math.Min(buffer.Length, farewell.Length - _farewellDelivered);
        farewell.AsSpan(_farewellDelivered, delivered).CopyTo(buffer);
        lock (_lock)
        {
            _farewellDelivered += delivered;
        }

        return true;
    }

    private void Fail(ConnectionEnd end, bool closeInner)
    {
        bool report;
        ITimer? timer;
        lock (_lock)
        {
            _failure ??= end;
            report = !_closedReported;
            _closedReported = true;
            timer = _pingTimer;
            _pingTimer = null;
            _pendingEvents.Clear(); // closed says it all
        }

        timer?.Dispose();

        // The subchannel hears why before the read side can wake and hand over the farewell: a call failed by it asks
        // the subchannel what happened.
        if (report)
        {
            _owner.OnClosed(this, _failure!.Value);
        }

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
    }

    // Called at the start of each read: SocketsHttpHandler has handled every whole frame it was given.
    private void RaiseProcessedEvents()
    {
        // Only the read side queues events, and it is the caller, so an empty queue seen here without the lock is empty
        // (another thread can only clear it). Nearly every read takes this way out.
        if (_pendingEvents.Count == 0)
        {
            return;
        }

        while (true)
        {
            (long Frame, ConnectionEnd? GoAway) next;
            lock (_lock)
            {
                if (!_pendingEvents.TryPeek(out next) || next.Frame > _inbound.FramesCompleted)
                {
                    return;
                }

                _pendingEvents.Dequeue();
            }

            if (next.GoAway is { } goAway)
            {
                _owner.OnGoAway(this, goAway);
            }
            else
            {
                _owner.OnSettingsReceived(this);
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
                    _serverLastStreamId = Math.Min(_serverLastStreamId ?? int.MaxValue, frame.LastStreamId);
                    _goAway = new ConnectionEnd(
                        frame.ErrorCode == 0 ? "the server sent GOAWAY" : $"the server sent GOAWAY with HTTP/2 error {frame.ErrorCode}",
                        Diagnostics.SubchannelMetrics.GoAway(frame.ErrorCode));
                    _pendingEvents.Enqueue((_inbound.FramesStarted, _goAway));
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

            case Http2Frame.Headers or 0x0 when (frame.Flags & EndStreamFlag) != 0:
            case RstStream:
                lock (_lock)
                {
                    _openStreams.Remove(frame.StreamId); // the response ended: nothing to fail for it any more
                }

                break;
        }
    }

    private void OnOutboundFrame(in Http2Frame frame)
    {
        switch (frame.Type)
        {
            case Http2Frame.Headers:
                lock (_lock)
                {
                    if (!_writing.Contains(frame.StreamId))
                    {
                        _writing.Add(frame.StreamId);
                    }
                }

                break;

            case RstStream:
                lock (_lock)
                {
                    _openStreams.Remove(frame.StreamId); // the client gave up on the stream
                }

                break;

            // SocketsHttpHandler's keepalive pings carry a positive counter; its RTT-estimation pings are negative.
            case Http2Frame.Ping when !frame.IsAck && (long)frame.Prefix >= 0 && _keepAliveTimeout != Timeout.InfiniteTimeSpan:
                lock (_lock)
                {
                    if (_pingTimer is not null || _failure is not null)
                    {
                        return;
                    }

                    _pingPayload = frame.Prefix;
                    _pingTimer = _timeProvider.CreateTimer(static state => ((ConnectionStream)state!).OnKeepAliveTimeout(), this, _keepAliveTimeout, Timeout.InfiniteTimeSpan);
                }

                break;
        }
    }

    private void OnKeepAliveTimeout()
        => Fail(new ConnectionEnd(string.Create(CultureInfo.InvariantCulture, $"no reply to a keepalive ping within {_keepAliveTimeout.TotalSeconds:0.###}s"), Diagnostics.SubchannelMetrics.TimedOut), closeInner: true);

    private readonly struct InboundObserver(ConnectionStream owner) : IHttp2FrameObserver
    {
        public void OnFrame(in Http2Frame frame) => owner.OnInboundFrame(frame);
    }

    private readonly struct OutboundObserver(ConnectionStream owner) : IHttp2FrameObserver
    {
        public void OnFrame(in Http2Frame frame) => owner.OnOutboundFrame(frame);
    }
}
