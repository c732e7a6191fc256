using System.Net;
using System.Text;
using Proxyless.Calls;

namespace Proxyless.Tests.Unit.Calls;

/// <summary>
/// The request body kept for transparent retries: a unary body is whole in the copy before any byte goes out, a
/// client stream's messages go out as they are written, a refused body is still kept whole, and what cannot be kept
/// says so.
/// </summary>
public class ReplayableContentTests
{
    [Fact]
    public async Task AUnaryBodyGoesOutInOneWriteOnlyAfterTheContentFinishedAndIsSentAgainByteForByte()
    {
        var writesSeenByContent = new List<int>();
        var request = new RequestStream();
        using var content = new ReplayableContent(new ScriptedContent(async stream =>
        {
            await stream.WriteAsync(Bytes("hello "));
            writesSeenByContent.Add(request.Writes.Count);
            await stream.WriteAsync(Bytes("world"));
            writesSeenByContent.Add(request.Writes.Count);
        }), CancellationToken.None);

        await content.CopyToAsync(request);

        Assert.Equal([0, 0], writesSeenByContent); // nothing reached the request stream while the content was writing
        Assert.Equal(["hello world"], request.WrittenStrings);
        Assert.True(content.CanReplay);

        var second = new RequestStream();
        await content.CopyToAsync(second);
        Assert.Equal(["hello world"], second.WrittenStrings);
    }

    [Fact]
    public async Task ARefusedUnaryBodyFailsTheSendButStaysWholeForTheNextBackend()
    {
        var refusing = new RequestStream { Failure = new IOException("stream refused") };
        using var content = new ReplayableContent(new ScriptedContent(stream => stream.WriteAsync(Bytes("payload")).AsTask()), CancellationToken.None);

        var ex = await Assert.ThrowsAnyAsync<Exception>(() => content.CopyToAsync(refusing));
        Assert.Contains("stream refused", ex.ToString(), StringComparison.Ordinal);
        Assert.True(content.CanReplay);

        var next = new RequestStream();
        await content.CopyToAsync(next);
        Assert.Equal(["payload"], next.WrittenStrings);
    }

    [Fact]
    public async Task AClientStreamsMessagesGoOutAsTheyAreWrittenAndTheBodyIsReplayableOnlyOnceComplete()
    {
        var request = new RequestStream();
        var secondMessage = new TaskCompletionSource();
        using var content = new ReplayableContent(new ScriptedContent(async stream =>
        {
            await stream.FlushAsync(); // grpc-dotnet flushes first, to send the headers
            await stream.WriteAsync(Bytes("one;"));
            await stream.FlushAsync();
            await secondMessage.Task; // the application has not written its next message yet
            await stream.WriteAsync(Bytes("two;"));
            await stream.FlushAsync();
        }), CancellationToken.None);

        var sending = content.CopyToAsync(request);
        Assert.Equal(["one;"], request.WrittenStrings);
        Assert.False(content.CanReplay); // part of the body is out, the rest is not written yet

        secondMessage.SetResult();
        await sending;
        Assert.Equal(["one;", "two;"], request.WrittenStrings);
        Assert.Equal(3, request.Flushes); // every flush reaches the request stream
        Assert.True(content.CanReplay);

        var again = new RequestStream();
        await content.CopyToAsync(again);
        Assert.Equal(["one;two;"], again.WrittenStrings);
    }

    [Fact]
    public async Task BytesWrittenBeforeTheContentWaitsGoOutWhileItWaitsAndLaterWritesFollowThem()
    {
        var request = new RequestStream();
        var resume = new TaskCompletionSource();
        using var content = new ReplayableContent(new ScriptedContent(async stream =>
        {
            await stream.WriteAsync(Bytes("head;")); // no flush: a content that then waits for something else
            await resume.Task;
            await stream.WriteAsync(Bytes("tail;"));
        }), CancellationToken.None);

        var sending = content.CopyToAsync(request);
        Assert.Equal(["head;"], request.WrittenStrings); // not held back while the content waits

        resume.SetResult();
        await sending;
        Assert.Equal(["head;", "tail;"], request.WrittenStrings);
    }

    [Fact]
    public async Task WhenTheRequestStreamFailsMidStreamTheContentFinishesIntoTheCopyAndTheFailureComesAfter()
    {
        var request = new RequestStream();
        var next = new TaskCompletionSource();
        var contentFinished = false;
        using var content = new ReplayableContent(new ScriptedContent(async stream =>
        {
            await stream.FlushAsync();
            await stream.WriteAsync(Bytes("a;"));
            await next.Task;
            await stream.WriteAsync(Bytes("b;")); // the stream was reset by now: kept, not thrown at the content
            await stream.FlushAsync();
            contentFinished = true;
        }), CancellationToken.None);

        var sending = content.CopyToAsync(request);
        request.Failure = new IOException("stream reset");
        next.SetResult();

        var ex = await Assert.ThrowsAnyAsync<Exception>(() => sending);
        Assert.Contains("stream reset", ex.ToString(), StringComparison.Ordinal);
        Assert.True(contentFinished);
        Assert.True(content.CanReplay);

        var again = new RequestStream();
        await content.CopyToAsync(again);
        Assert.Equal(["a;b;"], again.WrittenStrings);
    }

    [Fact]
    public async Task ACancelledCallsWriteFailureReachesTheContentAtOnce()
    {
        using var cancelled = new CancellationTokenSource();
        var request = new RequestStream();
        var next = new TaskCompletionSource();
        Exception? seenByContent = null;
        using var content = new ReplayableContent(new ScriptedContent(async stream =>
        {
            await stream.FlushAsync();
            await next.Task;
            try
            {
                await stream.WriteAsync(Bytes("late"));
            }
            catch (Exception ex)
            {
                seenByContent = ex;
                throw;
            }
        }), cancelled.Token);

        var sending = content.CopyToAsync(request);
        await cancelled.CancelAsync();
        request.Failure = new OperationCanceledException("call cancelled");
        next.SetResult();

        await Assert.ThrowsAnyAsync<Exception>(() => sending);
        Assert.IsType<OperationCanceledException>(seenByContent);
        Assert.False(content.CanReplay);
    }

    [Fact]
    public async Task ABodyLargerThanTheCopyGoesThroughWholeInOrderAndCannotBeSentAgain()
    {
        var request = new RequestStream();
        var first = new byte[1000];
        var large = new byte[ReplayableContent.MaxCapture];
        Array.Fill(first, (byte)1);
        Array.Fill(large, (byte)2);
        using var content = new ReplayableContent(new ScriptedContent(async stream =>
        {
            await stream.WriteAsync(first);
            await stream.WriteAsync(large); // together over the limit
        }), CancellationToken.None);

        await content.CopyToAsync(request);

        Assert.Equal(first.Concat(large).ToArray(), request.AllBytes);
        Assert.False(content.CanReplay);
        await Assert.ThrowsAnyAsync<InvalidOperationException>(() => content.CopyToAsync(new RequestStream()));
    }

    [Fact]
    public async Task OnceTheResponseBeganTheBodyIsNoLongerKept()
    {
        var request = new RequestStream();
        using var content = new ReplayableContent(new ScriptedContent(stream => stream.WriteAsync(Bytes("x")).AsTask()), CancellationToken.None);
        Assert.True(content.CanReplay); // never sent

        await content.CopyToAsync(request);
        content.StopCapturing();

        Assert.False(content.CanReplay);
        Assert.Equal(["x"], request.WrittenStrings);
    }

    [Fact]
    public async Task TheResponseBeginningBeforeADeferredBodyWentOutLosesNoneOfIt()
    {
        var request = new RequestStream();
        ReplayableContent? outer = null;
        using var content = new ReplayableContent(new ScriptedContent(async stream =>
        {
            await stream.WriteAsync(Bytes("first;"));
            outer!.StopCapturing(); // the server answered on the headers alone, while the body was being written
            await stream.WriteAsync(Bytes("second;"));
        }), CancellationToken.None);
        outer = content;

        await content.CopyToAsync(request);

        Assert.Equal("first;second;", Encoding.UTF8.GetString(request.AllBytes));
        Assert.False(content.CanReplay);
    }

    [Fact]
    public void OnlyTheContentTypeIsSharedAndOtherHeadersAreCopied()
    {
        var inner = new ScriptedContent(_ => Task.CompletedTask);
        inner.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/grpc");
        using var shared = new ReplayableContent(inner, CancellationToken.None);
        Assert.Same(inner.Headers.ContentType, shared.Headers.ContentType);

        var withMore = new ScriptedContent(_ => Task.CompletedTask);
        withMore.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/grpc");
        withMore.Headers.TryAddWithoutValidation("content-language", "en");
        using var copied = new ReplayableContent(withMore, CancellationToken.None);
        Assert.Equal("application/grpc", copied.Headers.ContentType?.MediaType);
        Assert.Equal(["en"], copied.Headers.ContentLanguage);
    }

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    /// <summary>A request content that runs a script against the stream it is given, as grpc-dotnet's contents do.</summary>
    private sealed class ScriptedContent(Func<Stream, Task> script) : HttpContent
    {
        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => script(stream);

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }

    /// <summary>The request stream: records each write, and fails writes once <see cref="Failure"/> is set.</summary>
    private sealed class RequestStream : Stream
    {
        private readonly List<byte[]> _writes = [];

        public Exception? Failure { get; set; }

        public int Flushes { get; private set; }

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

        public IReadOnlyList<string> WrittenStrings => [.. Writes.Select(w => Encoding.UTF8.GetString(w))];

        public byte[] AllBytes => [.. Writes.SelectMany(w => w)];

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var failure = Failure;
            if (failure is null)
            {
                lock (_writes)
                {
                    _writes.Add(buffer.ToArray()); // taken at once; the write completes later, as SocketsHttpHandler's does
                }
            }

            await Task.Yield();
            if (failure is not null)
            {
                throw failure;
            }
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
            => WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override Task FlushAsync(CancellationToken cancellationToken)
        {
            Flushes++;
            return Failure is null ? Task.CompletedTask : Task.FromException(Failure);
        }

        public override void Flush() => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
