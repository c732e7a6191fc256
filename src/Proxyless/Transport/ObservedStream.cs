namespace Proxyless.Transport;

/// <summary>
/// A pass-through stream that tells a subclass what happened on it: data read, end of stream, a failed read or
/// write, and disposal. It keeps SocketsHttpHandler's rule that a zero-byte read into an empty buffer is a wait for
/// data, not end of stream. Used for response bodies (<see cref="Calls.TrackedStream"/>).
/// </summary>
internal abstract class ObservedStream(Stream inner) : Stream
{
    public override bool CanRead => inner.CanRead;

    public override bool CanSeek => false;

    public override bool CanWrite => inner.CanWrite;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <summary>Bytes arrived.</summary>
    protected virtual void OnData(ReadOnlySpan<byte> data)
    {
    }

    /// <summary>A read returned 0 for a non-empty buffer.</summary>
    protected abstract void OnEndOfStream();

    /// <summary>A read or write threw (cancellation of a read included).</summary>
    protected abstract void OnFailed(Exception exception);

    /// <summary>The exception to throw instead of a failed read's, or null to rethrow it.</summary>
    protected virtual Exception? TranslateFailure(Exception exception) => null;

    /// <summary>The stream is being disposed.</summary>
    protected abstract void OnDisposing();

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ValueTask<int> pending;
        try
        {
            pending = inner.ReadAsync(buffer, cancellationToken);
        }
        catch (Exception ex)
        {
            return ValueTask.FromException<int>(Failed(ex) ?? ex);
        }

        if (!pending.IsCompletedSuccessfully)
        {
            return AwaitReadAsync(pending, buffer);
        }

        // Most reads of a response body find its data already there: no state machine for them.
        var read = pending.Result;
        AfterRead(buffer.Span, read);
        return new ValueTask<int>(read);
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
            OnFailed(ex);
            throw;
        }

        AfterRead(buffer, read);
        return read;
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        try
        {
            await inner.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            OnFailed(ex);
            throw;
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);

    public override void Write(ReadOnlySpan<byte> buffer) => inner.Write(buffer);

    public override void Flush() => inner.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            OnDisposing();
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        OnDisposing();
        await inner.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }

    // Pooled: a read that waits for data would otherwise allocate its state machine.
    [System.Runtime.CompilerServices.AsyncMethodBuilder(typeof(System.Runtime.CompilerServices.PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<int> AwaitReadAsync(ValueTask<int> pending, Memory<byte> buffer)
    {
        int read;
        try
        {
            read = await pending.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            if (Failed(ex) is { } translated)
            {
                throw translated;
            }

            throw;
        }

        AfterRead(buffer.Span, read);
        return read;
    }

    // A read failed: tells the subclass, and returns the exception to throw instead, or null to throw the original.
    private Exception? Failed(Exception exception)
    {
        OnFailed(exception);
        return TranslateFailure(exception);
    }

    private void AfterRead(ReadOnlySpan<byte> buffer, int read)
    {
        if (read > 0)
        {
            OnData(buffer[..read]);
        }
        else if (buffer.Length > 0)
        {
            OnEndOfStream();
        }
    }
}
