using System.Net.Sockets;
using System.Threading.Channels;

namespace Proxyless.Tests.Support;

/// <summary>
/// The socket side of a connection for unit tests: reads return what the test feeds (bytes, end of stream, or an
/// error), writes are recorded, and the next write can be made to fail as a write to a dead peer does.
/// </summary>
internal sealed class ScriptedStream : Stream
{
    private readonly Channel<object> _incoming = Channel.CreateUnbounded<object>();
    private readonly List<byte[]> _writes = [];
    private byte[]? _pending;
    private int _pendingOffset;
    private bool _ended;

    public bool FailWrites { get; set; }

    public bool Disposed { get; private set; }

    public IReadOnlyList<byte[]> Writes
    {
        get
        {
            lock (_writes)
            {
                return [.. _writes];
            }
        }
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public void Feed(byte[] data) => _incoming.Writer.TryWrite(data);

    public void FeedEndOfStream() => _incoming.Writer.TryWrite(EndOfStream.Instance);

    public void FeedError(Exception error) => _incoming.Writer.TryWrite(error);

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_ended)
        {
            return 0; // end of stream is sticky, as on a socket
        }

        if (_pending is null)
        {
            object next;
            try
            {
                next = await _incoming.Reader.ReadAsync(cancellationToken);
            }
            catch (ChannelClosedException)
            {
                throw new ObjectDisposedException(nameof(ScriptedStream));
            }

            switch (next)
            {
                case EndOfStream:
                    _ended = true;
                    return 0;
                case Exception error:
                    throw error;
                default:
                    _pending = (byte[])next;
                    _pendingOffset = 0;
                    break;
            }
        }

        if (buffer.IsEmpty)
        {
            return 0;
        }

        var count = Math.Min(buffer.Length, _pending.Length - _pendingOffset);
        _pending.AsMemory(_pendingOffset, count).CopyTo(buffer);
        _pendingOffset += count;
        if (_pendingOffset == _pending.Length)
        {
            _pending = null;
        }

        return count;
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (FailWrites || Disposed)
        {
            throw new IOException("Unable to write data to the transport connection: Broken pipe.", new SocketException((int)SocketError.Shutdown));
        }

        lock (_writes)
        {
            _writes.Add(buffer.ToArray());
        }

        return ValueTask.CompletedTask;
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        Disposed = true;
        _incoming.Writer.TryComplete();
        base.Dispose(disposing);
    }

    private sealed class EndOfStream
    {
        public static readonly EndOfStream Instance = new();
    }
}
