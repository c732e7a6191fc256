using System.Net;

namespace Proxyless.Calls;

/// <summary>
/// Wraps a response body so its attempt sees the true end of the call: body EOF (status from the trailers), disposal
/// before EOF (the caller cancelled or stopped reading), or a read error.
/// </summary>
internal sealed class TrackedContent : HttpContent
{
    private static readonly Status MissingStatus = new(StatusCode.Internal, "the response ended without a grpc-status trailer");
    private readonly HttpContent _inner;
    private readonly HttpResponseMessage _response;

    public TrackedContent(HttpContent inner, HttpResponseMessage response, CallAttempt attempt)
    {
        _inner = inner;
        _response = response;
        Attempt = attempt;
        HttpContentHeaderCopy.CopyHeaders(inner, this);
    }

    /// <summary>The attempt this body belongs to.</summary>
    public CallAttempt Attempt { get; }

    /// <summary>Ends the attempt; with <paramref name="readTrailers"/> the status comes from the response's trailers.</summary>
    public void End(Status status, bool readTrailers)
    {
        if (!readTrailers)
        {
            Attempt.End(status);
            return;
        }

        // Only read when something takes the status (a policy's tracker, metrics): looking up headers costs.
        var trailers = _response.TrailingHeaders;
        Attempt.End(Attempt.WantsStatus ? CallAttempt.ReadStatus(trailers, MissingStatus) : Status.DefaultSuccess, trailers);
    }

    protected override Task<Stream> CreateContentReadStreamAsync(CancellationToken cancellationToken)
    {
        var inner = _inner.ReadAsStreamAsync(cancellationToken);
        return inner.IsCompletedSuccessfully ? Task.FromResult<Stream>(new TrackedStream(inner.Result, this)) : WrapAsync(inner);
    }

    protected override Stream CreateContentReadStream(CancellationToken cancellationToken) => new TrackedStream(_inner.ReadAsStream(cancellationToken), this);

    protected override Task<Stream> CreateContentReadStreamAsync() => CreateContentReadStreamAsync(CancellationToken.None);

    private async Task<Stream> WrapAsync(Task<Stream> inner) => new TrackedStream(await inner.ConfigureAwait(false), this);

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        try
        {
            await _inner.CopyToAsync(stream, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            End(CallAttempt.FromException(ex), readTrailers: false);
            throw;
        }

        End(Status.DefaultSuccess, readTrailers: true);
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
            End(new Status(StatusCode.Cancelled, "the call was disposed before its response ended"), readTrailers: false);
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
