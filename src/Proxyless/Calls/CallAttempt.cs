using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using Proxyless.Balancing;
using Proxyless.Diagnostics;
using Proxyless.Transport;

namespace Proxyless.Calls;

/// <summary>
/// One attempt of a call on one subchannel, from the moment its call slot is taken to its true end: the subchannel,
/// the policy's call tracker and the start time, how the transport's answers become gRPC statuses, and
/// <see cref="End"/>, which releases the slot and tells the tracker exactly once.
/// </summary>
internal sealed class CallAttempt
{
    private readonly ICallTracker? _tracker;
    private readonly CallRecord? _call;
    private readonly long _start;
    private readonly string? _method; // set when the attempt's end is recorded (a metrics listener asked for it)
    private readonly ReplayableContent? _sentBody; // counts the request's message bytes, when they are recorded
    private readonly bool _countReceived;
    private MessageSizeCounter _received;
    private int _ended;

    private CallAttempt(HttpSubchannel subchannel, ICallTracker? tracker, HttpRequestMessage request, CallRecord? call, bool transparent)
    {
        Subchannel = subchannel;
        _tracker = tracker;
        _call = call;
        call?.OnAttemptStarted(transparent);

        // The method name is taken from the request once, and only when a metrics listener wants it.
        var method = AttemptMetrics.StartedEnabled || AttemptMetrics.EndEnabled ? call?.Method ?? MetricMethodNames.FromRequest(request) : null;
        if (method is not null)
        {
            AttemptMetrics.AttemptStarted(method, subchannel.Target);
        }

        if (AttemptMetrics.EndEnabled)
        {
            _method = method;
            _sentBody = AttemptMetrics.SentSizeEnabled ? request.Content as ReplayableContent : null;
            _countReceived = AttemptMetrics.ReceivedSizeEnabled;
        }

        if (tracker is not null || _method is not null)
        {
            _start = Stopwatch.GetTimestamp();
        }

        ProxylessMetrics.BackendAttempt(subchannel.Target, subchannel.PeerText);
        tracker?.OnCallStarted();
    }

    /// <summary>Counts response bytes as the body is read, when the received message size is recorded.</summary>
    public void OnReceived(ReadOnlySpan<byte> data)
    {
        if (_countReceived)
        {
            _received.Observe(data);
        }
    }

    /// <summary>
    /// Whether how the attempt ended is taken by anything (a policy's tracker, per-call or per-attempt metrics); when
    /// not, <see cref="End"/> can be given any status.
    /// </summary>
    public bool WantsStatus => _tracker is not null || _call is not null || _method is not null;

    /// <summary>The subchannel the attempt runs on.</summary>
    public HttpSubchannel Subchannel { get; }

    /// <summary>Starts an attempt on a READY subchannel; null when it has no usable connection (no slot was taken).</summary>
    /// <param name="subchannel">The picked subchannel.</param>
    /// <param name="tracker">The policy's tracker for the call, if any.</param>
    /// <param name="request">The request.</param>
    /// <param name="call">The call's record when per-call metrics follow it.</param>
    /// <param name="transparent">The handler is retrying on its own: an earlier attempt never reached its server.</param>
    public static CallAttempt? TryStart(HttpSubchannel subchannel, ICallTracker? tracker, HttpRequestMessage request, CallRecord? call, bool transparent)
        => subchannel.TryAcquireCall() ? new CallAttempt(subchannel, tracker, request, call, transparent) : null;

    /// <summary>Sends the request on the subchannel's connections.</summary>
    public Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        => Subchannel.SendAsync(request, cancellationToken);

    /// <summary>Ends the attempt: releases its call slot and tells the tracker. Only the first call counts.</summary>
    /// <param name="status">How the attempt ended.</param>
    /// <param name="trailers">The response trailers, if any.</param>
    /// <param name="final">False when the request goes on to another attempt (a transparent retry).</param>
    public void End(Status status, HttpHeaders? trailers = null, bool final = true)
    {
        if (Interlocked.Exchange(ref _ended, 1) != 0)
        {
            return;
        }

        Subchannel.ReleaseCall();
        var elapsed = _start == 0 ? TimeSpan.Zero : Stopwatch.GetElapsedTime(_start);
        _tracker?.OnCallEnded(new CallCompletion(status, trailers, elapsed));
        _call?.OnAttemptEnded();
        if (_method is not null)
        {
            AttemptMetrics.AttemptEnded(_method, Subchannel.Target, status.StatusCode, elapsed, _sentBody?.SentMessageBytes, _countReceived ? _received.PayloadBytes : null);
        }

        if (final)
        {
            _call?.OnRequestEnded(status.StatusCode);
        }
    }

    /// <summary>
    /// The response began (no resend can follow): names the serving backend in its headers, and ends the attempt now
    /// when there is no body to follow (an HTTP error, a trailers-only response) or when the body ends.
    /// </summary>
    public HttpResponseMessage OnResponse(HttpRequestMessage request, HttpResponseMessage response)
    {
        if (!MayBeRetried(request, response))
        {
            (request.Content as ReplayableContent)?.StopCapturing();
        }

        _tracker?.OnResponseHeaders(Stopwatch.GetElapsedTime(_start));
        response.Headers.TryAddWithoutValidation(CallPeer.HeaderName, Subchannel.PeerText);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            End(FromHttpStatus(response.StatusCode));
        }
        else if (response.Headers.NonValidated.Contains("grpc-status"))
        {
            End(ReadStatus(response.Headers, Status.DefaultSuccess), response.Headers); // trailers-only: the body is never read
        }
        else
        {
            response.Content = new TrackedContent(response.Content, response, this);
        }

        return response;
    }

    // A trailers-only response whose status the request's route retry policy lists keeps the body for the resend.
    private static bool MayBeRetried(HttpRequestMessage request, HttpResponseMessage response)
        => RouteRetryPolicy.Of(request) is { } policy && TrailersOnlyStatus(response) is { } code && policy.RetryOn.Contains(code);

    /// <summary>The status of a trailers-only response (grpc-status in the headers), or null.</summary>
    public static StatusCode? TrailersOnlyStatus(HttpResponseMessage response)
        => response.StatusCode == HttpStatusCode.OK && response.Headers.NonValidated.Contains("grpc-status")
            ? ReadStatus(response.Headers, Status.DefaultSuccess).StatusCode
            : null;

    /// <summary>
    /// The send failed after the call may have reached the server: ends the attempt and returns the exception the
    /// caller sees, which names the backend and why (and is a transport failure, so UNAVAILABLE, when it was one).
    /// </summary>
    public HttpRequestException Fail(HttpRequestException ex)
    {
        End(new Status(StatusCode.Unavailable, ex.Message, ex));
        var (message, transportFailure) = Subchannel.DescribeFailure(ex);

        // An IOException without the original chain makes grpc-dotnet say UNAVAILABLE rather than map the HTTP/2 error.
        return new HttpRequestException(message, transportFailure ? new IOException(message) : ex, ex.StatusCode);
    }

    /// <summary>The status of an attempt that ended with an exception other than a failed send.</summary>
    public static Status FromException(Exception ex) => ex is OperationCanceledException
        ? new Status(StatusCode.Cancelled, "the call was cancelled", ex)
        : new Status(StatusCode.Unavailable, ex.Message, ex);

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

    /// <summary>gRPC's mapping of an HTTP status that is not 200 to a gRPC status.</summary>
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
}
