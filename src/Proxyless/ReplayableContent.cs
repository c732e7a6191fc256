using System.Buffers;
using System.Net;
using System.Runtime.ExceptionServices;

namespace Proxyless;

/// <summary>
/// A call's request body, kept so that a transparent retry can send exactly the same bytes to another backend.
/// grpc-dotnet's request contents cannot be serialized twice (a retry call's content writes nothing the second time,
/// since it counts the messages its attempt already wrote), so the first serialization is copied as it is written,
/// into a pooled buffer of at most <see cref="MaxCapture"/> bytes, and later sends write the copy. When the request
/// stream fails (the server refused the stream), the content is still allowed to finish into the copy and the failure
/// is reported after it, so a refused unary body is always whole. Capturing stops (and the buffer goes back to the
/// pool) once the response has begun, when no transparent retry can happen any more. A body still being written
/// (a client stream the application has not completed), or a larger one, cannot be replayed.
/// </summary>
internal sealed class ReplayableContent : HttpContent
{
    /// <summary>The largest body kept for a resend (gRPC's default per-call retry buffer is 256 KiB).</summary>
    public const int MaxCapture = 256 * 1024;

    private readonly HttpContent _inner;
    private readonly CancellationToken _callCancelled;
    private readonly Lock _lock = new();
    private byte[]? _buffer;
    private int _length;
    private State _state;

    /// <param name="inner">The call's request content.</param>
    /// <param name="callCancelled">The call's own cancellation. Only it stops the copy: SocketsHttpHandler also cancels
    /// the body of a stream it resets (a refused stream), and that body must still be copied whole.</param>
    public ReplayableContent(HttpContent inner, CancellationToken callCancelled)
    {
        _inner = inner;
        _callCancelled = callCancelled;
        HttpContentHeaderCopy.CopyHeaders(inner, this);
    }

    private enum State
    {
        NotSent,
        Sending,
        Captured,
        NotReplayable,
    }

    /// <summary>True when the body can be sent (again): it was never sent, or it was sent whole and kept.</summary>
    public bool CanReplay
    {
        get
        {
            lock (_lock)
            {
                return _state is State.NotSent or State.Captured;
            }
        }
    }

    /// <summary>The response began: no resend can follow, so stop capturing and give the buffer back.</summary>
    public void StopCapturing()
    {
        lock (_lock)
        {
            _state = State.NotReplayable;
            ReturnBufferLocked();
        }
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        => SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        byte[]? replay = null;
        var length = 0;
        lock (_lock)
        {
            switch (_state)
            {
                case State.NotSent:
                    _state = State.Sending;
                    break;
                case State.Captured:
                    replay = _buffer;
                    length = _length;
                    break;
                default:
                    throw new InvalidOperationException("The request body was partly sent and cannot be sent again.");
            }
        }

        if (replay is not null)
        {
            await stream.WriteAsync(replay.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
            return;
        }

        var capturing = new CapturingStream(stream, this);
        try
        {
            await _inner.CopyToAsync(capturing, _callCancelled).ConfigureAwait(false);
        }
        catch
        {
            StopCapturing();
            throw;
        }

        lock (_lock)
        {
            if (_state == State.Sending)
            {
                _state = State.Captured;
            }
        }

        capturing.WriteFailure?.Throw(); // the body is whole in the copy; the request stream itself failed
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
            StopCapturing();
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <summary>Copies written bytes; false when the body is no longer being kept (so write failures must surface).</summary>
    private bool Capture(ReadOnlySpan<byte> data)
    {
        lock (_lock)
        {
            if (_state != State.Sending)
            {
                return false;
            }

            var needed = _length + data.Length;
            if (needed > MaxCapture)
            {
                _state = State.NotReplayable;
                ReturnBufferLocked();
                return false;
            }

            if (_buffer is null || _buffer.Length < needed)
            {
                var larger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, 256));
                _buffer?.AsSpan(0, _length).CopyTo(larger);
                ReturnBufferLocked();
                _buffer = larger;
            }

            data.CopyTo(_buffer.AsSpan(_length));
            _length = needed;
            return true;
        }
    }

    private void ReturnBufferLocked()
    {
        if (_buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = null;
        }
    }

    /// <summary>
    /// Copies writes into the owner's buffer and passes them to the request stream. Once the request stream has failed
    /// while the body is being kept, later writes only go to the copy, and the failure waits in
    /// <see cref="WriteFailure"/> until the content is done.
    /// </summary>
    private sealed class CapturingStream(Stream inner, ReplayableContent owner) : Stream
    {
        public ExceptionDispatchInfo? WriteFailure { get; private set; }

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var kept = owner.Capture(buffer.Span);
            if (WriteFailure is not null)
            {
                return kept ? ValueTask.CompletedTask : ValueTask.FromException(WriteFailure.SourceException);
            }

            ValueTask write;
            try
            {
                write = inner.WriteAsync(buffer, cancellationToken);
            }
            catch (Exception ex) when (kept && !owner._callCancelled.IsCancellationRequested)
            {
                WriteFailure = ExceptionDispatchInfo.Capture(ex);
                return ValueTask.CompletedTask;
            }

            return write.IsCompletedSuccessfully ? write : AwaitWriteAsync(write, kept);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
            => WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override Task FlushAsync(CancellationToken cancellationToken)
            => WriteFailure is null ? inner.FlushAsync(cancellationToken) : Task.CompletedTask;

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        private async ValueTask AwaitWriteAsync(ValueTask write, bool kept)
        {
            try
            {
                await write.ConfigureAwait(false);
            }
            catch (Exception ex) when (kept && !owner._callCancelled.IsCancellationRequested)
            {
                WriteFailure = ExceptionDispatchInfo.Capture(ex); // a reset stream, not a cancelled call: keep copying
            }
        }
    }
}
