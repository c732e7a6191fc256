using System.Buffers;
using System.Net;

namespace Proxyless;

/// <summary>
/// A call's request body, kept so that a transparent retry can send exactly the same bytes to another backend.
/// grpc-dotnet's request contents cannot be serialized twice (a retry call's second serialization sends a truncated
/// message), so the first serialization is copied as it is written, into a pooled buffer of at most
/// <see cref="MaxCapture"/> bytes, and later sends write the copy. Capturing stops (and the buffer goes back to the
/// pool) once the response has begun, when no transparent retry can happen any more. A body still being written
/// (a client stream the application has not completed), or a larger one, cannot be replayed.
/// </summary>
internal sealed class ReplayableContent : HttpContent
{
    /// <summary>The largest body kept for a resend (gRPC's default per-call retry buffer is 256 KiB).</summary>
    public const int MaxCapture = 256 * 1024;

    private readonly HttpContent _inner;
    private readonly Lock _lock = new();
    private byte[]? _buffer;
    private int _length;
    private State _state;

    public ReplayableContent(HttpContent inner)
    {
        _inner = inner;
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

        try
        {
            await _inner.CopyToAsync(new CapturingStream(stream, this), cancellationToken).ConfigureAwait(false);
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

    private void Capture(ReadOnlySpan<byte> data)
    {
        lock (_lock)
        {
            if (_state != State.Sending)
            {
                return;
            }

            var needed = _length + data.Length;
            if (needed > MaxCapture)
            {
                _state = State.NotReplayable;
                ReturnBufferLocked();
                return;
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

    /// <summary>Passes writes to the request stream and copies them into the owner's buffer.</summary>
    private sealed class CapturingStream(Stream inner, ReplayableContent owner) : Stream
    {
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
            owner.Capture(buffer.Span);
            return inner.WriteAsync(buffer, cancellationToken);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
            => WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            owner.Capture(buffer);
            inner.Write(buffer);
        }

        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

        public override void Flush() => inner.Flush();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
