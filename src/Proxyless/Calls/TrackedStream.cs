using Proxyless.Transport;

namespace Proxyless.Calls;

/// <summary>The response body stream of a tracked call: reports EOF, read errors and early disposal to its content.</summary>
internal sealed class TrackedStream(Stream inner, TrackedContent owner) : ObservedStream(inner)
{
    private static readonly Status DisposedEarly = new(StatusCode.Cancelled, "the response stream was disposed before it ended");

    public override bool CanWrite => false;

    protected override void OnData(ReadOnlySpan<byte> data) => owner.Attempt.OnReceived(data);

    protected override void OnEndOfStream() => owner.End(Status.DefaultSuccess, readTrailers: true);

    protected override void OnFailed(Exception exception) => owner.End(CallAttempt.FromException(exception), readTrailers: false);

    protected override void OnDisposing() => owner.End(DisposedEarly, readTrailers: false);

    // The connection died under the response: a transport failure, UNAVAILABLE, not the INTERNAL its HTTP/2 reset maps to.
    protected override Exception? TranslateFailure(Exception exception)
        => owner.Attempt.Subchannel.DescribeLostConnection(exception) is { } message ? new IOException(message) : null;
}
