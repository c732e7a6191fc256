using Grpc.Core;

namespace Proxyless;

/// <summary>The response body stream of a tracked call: reports EOF, read errors and early disposal to its content.</summary>
internal sealed class TrackedStream(Stream inner, TrackedContent owner) : Stream
{
    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

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
            read = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            owner.End(TrackedContent.FromException(ex), readTrailers: false);
            throw;
        }

        if (read == 0 && buffer.Length > 0)
        {
            owner.End(Status.DefaultSuccess, readTrailers: true);
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
            read = inner.Read(buffer);
        }
        catch (Exception ex)
        {
            owner.End(TrackedContent.FromException(ex), readTrailers: false);
            throw;
        }

        if (read == 0 && buffer.Length > 0)
        {
            owner.End(Status.DefaultSuccess, readTrailers: true);
        }

        return read;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            owner.End(new Status(StatusCode.Cancelled, "the response stream was disposed before it ended"), readTrailers: false);
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        owner.End(new Status(StatusCode.Cancelled, "the response stream was disposed before it ended"), readTrailers: false);
        await inner.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }
}
