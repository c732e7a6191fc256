using Proxyless.Tests.Support;
using Proxyless.Transport;

namespace Proxyless.Tests.Unit.Transport;

/// <summary>
/// The pass-through stream under response bodies and connections reports data, end of stream and failures the same
/// whether the inner read completes at once (the fast path, no state machine) or later.
/// </summary>
public sealed class ObservedStreamTests
{
    [Fact]
    public async Task A_read_that_completes_at_once_reports_its_data_and_the_end_of_stream()
    {
        var observed = new RecordingStream(new MemoryStream([1, 2, 3]));
        var buffer = new byte[8];

        Assert.Equal(0, await observed.ReadAsync(Memory<byte>.Empty)); // a wait for data, not the end
        Assert.Equal(0, observed.Ends);
        Assert.Equal(3, await observed.ReadAsync(buffer));
        Assert.Equal(0, await observed.ReadAsync(buffer));

        Assert.Equal([1, 2, 3], observed.Data);
        Assert.Equal(1, observed.Ends);
    }

    [Fact]
    public async Task A_read_that_waits_reports_its_data_and_the_end_of_stream()
    {
        var inner = new ScriptedStream();
        var observed = new RecordingStream(inner);
        var buffer = new byte[8];

        var read = observed.ReadAsync(buffer);
        Assert.False(read.IsCompleted);
        inner.Feed([7, 8]);
        Assert.Equal(2, await read);

        read = observed.ReadAsync(buffer);
        inner.FeedEndOfStream();
        Assert.Equal(0, await read);

        Assert.Equal([7, 8], observed.Data);
        Assert.Equal(1, observed.Ends);
    }

    [Fact]
    public async Task An_inner_read_that_throws_at_once_fails_the_returned_read_with_the_translated_error()
    {
        var observed = new RecordingStream(new ThrowingStream(new IOException("reset")), translate: true);

        var read = observed.ReadAsync(new byte[8]); // does not throw here: the failure is in the returned read

        var error = await Assert.ThrowsAsync<InvalidOperationException>(async () => await read);
        Assert.Equal("translated: reset", error.Message);
        Assert.Equal("reset", Assert.Single(observed.Failures).Message);
    }

    [Fact]
    public async Task An_inner_read_that_fails_later_is_reported_and_rethrown_untranslated_when_no_translation_applies()
    {
        var inner = new ScriptedStream();
        var observed = new RecordingStream(inner);

        var read = observed.ReadAsync(new byte[8]);
        inner.FeedError(new IOException("broken pipe"));

        var error = await Assert.ThrowsAsync<IOException>(async () => await read);
        Assert.Equal("broken pipe", error.Message);
        Assert.Same(error, Assert.Single(observed.Failures));
        Assert.Equal(0, observed.Ends);
    }

    private sealed class RecordingStream(Stream inner, bool translate = false) : ObservedStream(inner)
    {
        public List<byte> Data { get; } = [];

        public List<Exception> Failures { get; } = [];

        public int Ends { get; private set; }

        protected override void OnData(ReadOnlySpan<byte> data) => Data.AddRange(data.ToArray());

        protected override void OnEndOfStream() => Ends++;

        protected override void OnFailed(Exception exception) => Failures.Add(exception);

        protected override void OnDisposing()
        {
        }

        protected override Exception? TranslateFailure(Exception exception)
            => translate ? new InvalidOperationException("translated: " + exception.Message) : null;
    }

    private sealed class ThrowingStream(Exception error) : MemoryStream
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => throw error;
    }
}
