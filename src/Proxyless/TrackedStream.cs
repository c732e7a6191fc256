using Proxyless.Transport;

namespace Proxyless;

/// <summary>The response body stream of a tracked call: reports EOF, read errors and early disposal to its content.</summary>
internal sealed class TrackedStream(Stream inner, TrackedContent owner) : ObservedStream(inner)
{
    private static readonly Status DisposedEarly = new(StatusCode.Cancelled, "the response stream was disposed before it ended");

    public override bool CanWrite => false;

    protected override void OnEndOfStream() => owner.End(Status.DefaultSuccess, readTrailers: true);

    protected override void OnFailed(Exception exception) => owner.End(TrackedContent.FromException(exception), readTrailers: false);

    protected override void OnDisposing() => owner.End(DisposedEarly, readTrailers: false);
}
