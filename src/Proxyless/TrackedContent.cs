using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using Grpc.Core;
using Proxyless.Balancing;
using Proxyless.Transport;

namespace Proxyless;

/// <summary>
/// Wraps a response body so the handler sees the true end of the call: body EOF (status from the trailers), disposal
/// before EOF (the caller cancelled or stopped reading), or a read error. Ends the call exactly once: releases the
/// subchannel's call slot and tells the call tracker.
/// </summary>
internal sealed class TrackedContent : HttpContent
{
    private readonly HttpContent _inner;
    private readonly HttpResponseMessage _response;
    private readonly HttpSubchannel _subchannel;
    private readonly ICallTracker? _tracker;
    private readonly long _startTimestamp;
    private int _ended;

    public TrackedContent(HttpContent inner, HttpResponseMessage response, HttpSubchannel subchannel, ICallTracker? tracker, long startTimestamp)
    {
        _inner = inner;
        _response = response;
        _subchannel = subchannel;
        _tracker = tracker;
        _startTimestamp = startTimestamp;
        HttpContentHeaderCopy.CopyHeaders(inner, this);
    }

    /// <summary>Ends a call: releases its subchannel slot and tells its tracker (directly for calls without a body to read).</summary>
    public static void EndWithoutBody(HttpSubchannel subchannel, ICallTracker? tracker, long startTimestamp, Status status, HttpHeaders? trailers)
    {
        subchannel.ReleaseCall();
        tracker?.OnCallEnded(new CallCompletion(status, trailers, Elapsed(startTimestamp)));
    }

    /// <summary>Reads the gRPC status from headers or trailers; <paramref name="fallback"/> when it is missing.</summary>
    public static Status ReadStatus(HttpHeaders headers, Status fallback)
    {
        if (!headers.NonValidated.TryGetValues("grpc-status", out var values)
            || !int.TryParse(values.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var code))
        {
            return fallback;
        }

        var message = headers.NonValidated.TryGetValues("grpc-message", out var m) ? Uri.UnescapeDataString(m.ToString()) : "";
        return new Status((StatusCode)code, message);
    }

    public static Status FromHttpStatus(HttpStatusCode code) => code switch
    {
        HttpStatusCode.BadRequest => new Status(StatusCode.Internal, "HTTP 400 Bad Request"),
        HttpStatusCode.Unauthorized => new Status(StatusCode.Unauthenticated, "HTTP 401 Unauthorized"),
        HttpStatusCode.Forbidden => new Status(StatusCode.PermissionDenied, "HTTP 403 Forbidden"),
        HttpStatusCode.NotFound => new Status(StatusCode.Unimplemented, "HTTP 404 Not Found"),
        HttpStatusCode.TooManyRequests or HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout
            => new Status(StatusCode.Unavailable, $"HTTP {(int)code}"),
        _ => new Status(StatusCode.Unknown, $"HTTP {(int)code}"),
    };

    internal void End(Status status, bool readTrailers)
    {
        if (Interlocked.Exchange(ref _ended, 1) != 0)
        {
            return;
        }

        HttpHeaders? trailers = null;
        if (readTrailers)
        {
            trailers = _response.TrailingHeaders;
            status = ReadStatus(trailers, new Status(StatusCode.Internal, "the response ended without a grpc-status trailer"));
        }

        EndWithoutBody(_subchannel, _tracker, _startTimestamp, status, trailers);
    }

    protected override async Task<Stream> CreateContentReadStreamAsync(CancellationToken cancellationToken)
        => new TrackedStream(await _inner.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false), this, _subchannel);

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
            End(FromException(ex), readTrailers: false);
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

    internal static Status FromException(Exception ex) => ex is OperationCanceledException
        ? new Status(StatusCode.Cancelled, "the call was cancelled", ex)
        : new Status(StatusCode.Unavailable, ex.Message, ex);

    private static TimeSpan Elapsed(long start) => start == 0 ? TimeSpan.Zero : Stopwatch.GetElapsedTime(start);
}
