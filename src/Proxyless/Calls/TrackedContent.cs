using System.Net;

namespace Proxyless.Calls;

/// <summary>
/// Wraps a response body so its attempt sees the true end of the call: body EOF (status from the trailers), disposal
/// before EOF (the caller cancelled or stopped reading), or a read error.
/// </summary>
internal sealed class TrackedContent : HttpContent
{
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

        var trailers = _response.TrailingHeaders;
        Attempt.End(CallAttempt.ReadStatus(trailers, new Status(StatusCode.Internal, "the response ended without a grpc-status trailer")), trailers);
    }

    protected override async Task<Stream> CreateContentReadStreamAsync(CancellationToken cancellationToken)
        => new TrackedStream(await _inner.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false), this);

    protected override Task<Stream> CreateContentReadStreamAsync() => CreateContentReadStreamAsync(CancellationToken.None);

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
