using System.Runtime.ExceptionServices;

namespace Proxyless.Calls;

internal sealed partial class ReplayableContent
{
    /// <summary>
    /// The stream the wrapped content writes to. While its owner defers, writes are only copied; after that they are
    /// copied and passed to the request stream, behind whatever was deferred. Once the request stream has failed while
    /// the body is being kept, later writes only go to the copy, and the failure waits in <see cref="WriteFailure"/>
    /// until the content is done.
    /// </summary>
    private sealed class CapturingStream(Stream inner, ReplayableContent owner) : Stream
    {
        private Task? _drain; // sends what was deferred when the content began to wait; later writes go after it

        public ExceptionDispatchInfo? WriteFailure { get; private set; }

        /// <summary>Completes once what was deferred has gone to the request stream (at once when nothing was).</summary>
        public Task DrainCompletion => _drain ?? Task.CompletedTask;

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        /// <summary>
        /// The content has begun to wait (its copy did not finish at once): what it wrote so far goes to the request
        /// stream now, and every later write goes straight through, after it.
        /// </summary>
        public void StopDeferring(CancellationToken cancellationToken)
        {
            ReadOnlyMemory<byte> deferred;
            TaskCompletionSource drained;
            lock (owner)
            {
                if (!owner._deferring)
                {
                    return;
                }

                owner._deferring = false;
                if (!owner.BeginSendLocked(owner._handedOver, out deferred))
                {
                    return;
                }

                // Set before the lock is let go, so a write racing with this one waits for it.
                drained = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _drain = drained.Task;
            }

            _ = DrainAsync(deferred, drained, cancellationToken);
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Task? before = null;
            ReadOnlyMemory<byte> deferred = default;
            var sendDeferred = false;
            bool kept;
            lock (owner)
            {
                if (owner._countSent)
                {
                    owner._sentMessages.Observe(buffer.Span);
                }

                kept = owner.CaptureLocked(buffer.Span);
                if (owner._deferring)
                {
                    if (kept)
                    {
                        return ValueTask.CompletedTask; // goes out when the content finishes, flushes or waits
                    }

                    // The body outgrew the copy, or the response began: what was deferred goes first, then this.
                    owner._deferring = false;
                    sendDeferred = owner.BeginSendLocked(owner._handedOver, out deferred);
                }
                else if (_drain is { IsCompleted: false } drain)
                {
                    before = drain;
                }
            }

            if (sendDeferred)
            {
                before = owner.Send(inner, deferred, cancellationToken); // not kept any more: a failure surfaces
            }

            return before is null ? Forward(buffer, kept, cancellationToken) : WriteAfterAsync(before, buffer, kept, cancellationToken);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
            => WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override Task FlushAsync(CancellationToken cancellationToken)
        {
            Task? before = null;
            ReadOnlyMemory<byte> deferred = default;
            var sendDeferred = false;
            lock (owner)
            {
                if (owner._deferring)
                {
                    owner._deferring = false;
                    sendDeferred = owner.BeginSendLocked(owner._handedOver, out deferred);
                }
                else if (_drain is { IsCompleted: false } drain)
                {
                    before = drain;
                }
            }

            if (sendDeferred)
            {
                before = KeepGoingAfterFailureAsync(new ValueTask(owner.Send(inner, deferred, cancellationToken))).AsTask();
            }

            if (before is not null)
            {
                return FlushAfterAsync(before, cancellationToken);
            }

            return WriteFailure is null ? inner.FlushAsync(cancellationToken) : Task.CompletedTask;
        }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        /// <summary>Passes a write on to the request stream; a kept write's failure waits in <see cref="WriteFailure"/>.</summary>
        private ValueTask Forward(ReadOnlyMemory<byte> buffer, bool kept, CancellationToken cancellationToken)
        {
            if (WriteFailure is { } failure)
            {
                return kept ? ValueTask.CompletedTask : ValueTask.FromException(failure.SourceException);
            }

            ValueTask write;
            try
            {
                write = inner.WriteAsync(buffer, cancellationToken);
            }
            catch (Exception ex) when (kept && KeepGoingAfter(ex))
            {
                return ValueTask.CompletedTask;
            }

            return write.IsCompletedSuccessfully || !kept ? write : KeepGoingAfterFailureAsync(write);
        }

        private async ValueTask WriteAfterAsync(Task before, ReadOnlyMemory<byte> buffer, bool kept, CancellationToken cancellationToken)
        {
            await before.ConfigureAwait(false);
            await Forward(buffer, kept, cancellationToken).ConfigureAwait(false);
        }

        private async Task FlushAfterAsync(Task before, CancellationToken cancellationToken)
        {
            await before.ConfigureAwait(false);
            if (WriteFailure is null)
            {
                await inner.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        private async Task DrainAsync(ReadOnlyMemory<byte> deferred, TaskCompletionSource drained, CancellationToken cancellationToken)
        {
            try
            {
                await KeepGoingAfterFailureAsync(new ValueTask(owner.Send(inner, deferred, cancellationToken))).ConfigureAwait(false);
                drained.SetResult();
            }
            catch (Exception ex)
            {
                drained.SetException(ex); // the call was cancelled
            }
        }

        /// <summary>Awaits a write of kept bytes: a failure (a reset stream, not a cancelled call) lets the copy go on.</summary>
        private async ValueTask KeepGoingAfterFailureAsync(ValueTask write)
        {
            try
            {
                await write.ConfigureAwait(false);
            }
            catch (Exception ex) when (KeepGoingAfter(ex))
            {
            }
        }

        private bool KeepGoingAfter(Exception ex)
        {
            if (owner._callCancelled.IsCancellationRequested)
            {
                return false;
            }

            WriteFailure = ExceptionDispatchInfo.Capture(ex);
            return true;
        }
    }
}
