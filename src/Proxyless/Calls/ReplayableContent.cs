using System.Buffers;
using System.Net;

namespace Proxyless.Calls;

/// <summary>
/// A call's request body, kept so that a transparent retry can send exactly the same bytes to another backend.
/// grpc-dotnet's request contents cannot be serialized twice (a retry call's content writes nothing the second time,
/// since it counts the messages its attempt already wrote), so the first serialization is copied as it is written,
/// into a pooled buffer of at most <see cref="MaxCapture"/> bytes, and later sends write the copy.
/// </summary>
/// <remarks>
/// <para>
/// What the content writes without waiting (a unary message: serialized and written in one synchronous step) is only
/// copied, and handed to the request stream in one write when the content finishes, flushes or starts waiting. So a
/// unary body is whole in the copy before its first byte goes out, and costs no asynchronous write inside the content.
/// Writes after that (a client stream's messages, which grpc-dotnet flushes one by one) are copied and passed on as
/// they come.
/// </para>
/// <para>
/// When the request stream fails (the server refused the stream) while the body is being kept, the content is allowed
/// to finish into the copy and the failure is reported after it, so a refused body is whole. Capturing stops once the
/// response has begun, when no transparent retry can happen any more. A body still being written (a client stream
/// the application has not completed), or a larger one, cannot be replayed.
/// </para>
/// <para>
/// The buffer goes back to the pool only when no request-stream write may still read it; otherwise it is left to the
/// garbage collector.
/// </para>
/// </remarks>
internal sealed partial class ReplayableContent : HttpContent
{
    /// <summary>The largest body kept for a resend (gRPC's default per-call retry buffer is 256 KiB).</summary>
    public const int MaxCapture = 256 * 1024;

    private readonly HttpContent _inner;
    private readonly CancellationToken _callCancelled;

    // Guarded by lock (this).
    private State _state;
    private byte[]? _buffer;
    private int _length; // bytes kept in _buffer
    private int _handedOver; // bytes of _buffer already given to a request stream; the rest waits (deferred)
    private bool _deferring; // the first serialization's writes are kept but not yet given to the request stream
    private int _sendsStarting; // request-stream writes from _buffer being started
    private Task? _lastSend; // the latest request-stream write from _buffer
    private bool _sendsOverlapped; // two writes from _buffer were in flight together: never pool it
    private bool _disposed;
    private readonly bool _countSent; // a listener records sent message sizes
    private Diagnostics.MessageSizeCounter _sentMessages; // guarded by lock (this)

    /// <param name="inner">The call's request content.</param>
    /// <param name="callCancelled">The call's own cancellation. Only it stops the copy: SocketsHttpHandler also cancels
    /// the body of a stream it resets (a refused stream), and that body must still be copied whole.</param>
    public ReplayableContent(HttpContent inner, CancellationToken callCancelled)
    {
        _inner = inner;
        _callCancelled = callCancelled;
        _countSent = Diagnostics.AttemptMetrics.SentSizeEnabled;
        if (inner.Headers.NonValidated.Count == 1 && inner.Headers.ContentType is { } contentType)
        {
            Headers.ContentType = contentType; // grpc-dotnet's contents carry only this: share it, parse nothing
        }
        else
        {
            HttpContentHeaderCopy.CopyHeaders(inner, this);
        }
    }

    private enum State
    {
        NotSent,
        Sending,
        Captured,
        NotReplayable,
    }

    /// <summary>The request's message bytes written so far (gRFC A66's sent size), when a listener records them.</summary>
    public long? SentMessageBytes
    {
        get
        {
            lock (this)
            {
                return _countSent ? _sentMessages.PayloadBytes : null;
            }
        }
    }

    /// <summary>True when the body can be sent (again): it was never sent, or it was sent whole and kept.</summary>
    public bool CanReplay
    {
        get
        {
            lock (this)
            {
                return _state is State.NotSent or State.Captured;
            }
        }
    }

    /// <summary>The response began: no resend can follow, so stop capturing and give the buffer back.</summary>
    public void StopCapturing()
    {
        lock (this)
        {
            _state = State.NotReplayable;
            ReleaseBufferLocked();
        }
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        => SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        ReadOnlyMemory<byte> replay;
        lock (this)
        {
            switch (_state)
            {
                case State.NotSent:
                    _state = State.Sending;
                    _deferring = true;
                    break;
                case State.Captured:
                    return BeginSendLocked(0, out replay) ? Send(stream, replay, cancellationToken) : Task.CompletedTask;
                default:
                    throw new InvalidOperationException("The request body was partly sent and cannot be sent again.");
            }
        }

        var capturing = new CapturingStream(stream, this);
        Task copy;
        try
        {
            copy = _inner.CopyToAsync(capturing, _callCancelled);
        }
        catch
        {
            StopCapturing();
            throw;
        }

        if (!copy.IsCompletedSuccessfully)
        {
            capturing.StopDeferring(cancellationToken); // the content waits: what it wrote so far goes out now
            return AwaitCopyAsync(copy, capturing);
        }

        // The whole body was written without waiting: it is kept whole before any of it goes out.
        var failure = capturing.WriteFailure;
        ReadOnlyMemory<byte> body = default;
        var any = false;
        lock (this)
        {
            if (_state == State.Sending)
            {
                _state = State.Captured;
            }

            _deferring = false;
            any = failure is null && BeginSendLocked(_handedOver, out body);
        }

        if (failure is not null)
        {
            return Task.FromException(failure.SourceException); // the body is whole in the copy; the request stream failed
        }

        return any ? Send(stream, body, cancellationToken) : Task.CompletedTask;
    }

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            lock (this)
            {
                _disposed = true;
                _state = State.NotReplayable;
                ReleaseBufferLocked();
            }

            _inner.Dispose();
        }

        base.Dispose(disposing);
    }

    private async Task AwaitCopyAsync(Task copy, CapturingStream capturing)
    {
        try
        {
            await copy.ConfigureAwait(false);
        }
        catch
        {
            StopCapturing();
            throw;
        }

        lock (this)
        {
            if (_state == State.Sending)
            {
                _state = State.Captured;
            }
        }

        await capturing.DrainCompletion.ConfigureAwait(false); // what was deferred went out before the body ends
        capturing.WriteFailure?.Throw(); // the body is whole in the copy; the request stream itself failed
    }

    /// <summary>Copies written bytes; false when the body is no longer being kept (so write failures must surface).</summary>
    private bool CaptureLocked(ReadOnlySpan<byte> data)
    {
        if (_state != State.Sending)
        {
            return false;
        }

        var needed = _length + data.Length;
        if (needed > MaxCapture)
        {
            _state = State.NotReplayable;
            ReleaseBufferLocked();
            return false;
        }

        if (_buffer is null || _buffer.Length < needed)
        {
            var larger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, 256));
            _buffer?.AsSpan(0, _length).CopyTo(larger);
            GiveUpBufferLocked();
            _buffer = larger;
        }

        data.CopyTo(_buffer.AsSpan(_length));
        _length = needed;
        return true;
    }

    /// <summary>
    /// Takes the kept bytes from <paramref name="from"/> on for a request-stream write, which must be started with
    /// <see cref="Send"/>; false when there are none.
    /// </summary>
    private bool BeginSendLocked(int from, out ReadOnlyMemory<byte> bytes)
    {
        if (_buffer is null || from >= _length)
        {
            bytes = default;
            return false;
        }

        bytes = _buffer.AsMemory(from, _length - from);
        _handedOver = _length;
        _sendsStarting++;
        return true;
    }

    /// <summary>Writes bytes taken by <see cref="BeginSendLocked"/>; the buffer stays out of the pool until the write is done.</summary>
    private Task Send(Stream stream, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        var send = Task.CompletedTask;
        try
        {
            send = stream.WriteAsync(bytes, cancellationToken).AsTask();
        }
        catch (Exception ex)
        {
            send = Task.FromException(ex);
        }
        finally
        {
            EndSendStart(send);
        }

        return send;
    }

    private void EndSendStart(Task send)
    {
        lock (this)
        {
            _sendsStarting--;
            _sendsOverlapped |= _lastSend is { IsCompleted: false };
            _lastSend = send;
            ReleaseBufferLocked();
        }
    }

    /// <summary>Lets the buffer go once it is no longer kept and nothing deferred in it waits to be sent.</summary>
    private void ReleaseBufferLocked()
    {
        if (_state == State.NotReplayable && (_handedOver >= _length || _disposed))
        {
            GiveUpBufferLocked();
        }
    }

    private void GiveUpBufferLocked()
    {
        if (_buffer is null)
        {
            return;
        }

        if (_sendsStarting == 0 && !_sendsOverlapped && _lastSend is null or { IsCompleted: true })
        {
            ArrayPool<byte>.Shared.Return(_buffer);
        }

        // else a request stream may still read it: the garbage collector takes it
        _buffer = null;
        _lastSend = null;
        _sendsOverlapped = false;
    }
}
