using System.Diagnostics;
using Grpc.Core;
using Proxyless.Balancing;
using Proxyless.Diagnostics;
using Proxyless.Transport;

namespace Proxyless.Calls;

/// <summary>
/// The <see cref="HttpMessageHandler"/> under <c>GrpcChannel</c>: every HTTP request is one call attempt (retries and
/// hedges included), so each is picked anew. Complete → forward on the chosen subchannel; Queue → wait for the next
/// picker; Fail → UNAVAILABLE unless wait-for-ready; Drop → fail without retry.
/// </summary>
internal sealed class BalancingHandler(ChannelController controller) : HttpMessageHandler
{
    private static readonly HttpRequestOptionsKey<bool> WaitForReadyKey = new("WaitForReady");

    // Returned inside the pick loop for an attempt that never reached a server; never leaves the handler.
    private static readonly HttpResponseMessage NeverReached = new();

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Content is { } content and not ReplayableContent)
        {
            request.Content = new ReplayableContent(content, cancellationToken); // a transparent retry resends exactly these bytes
        }

        // Per-call metrics: a retried or hedged call's record came with the call; any other call is this one request.
        var call = CallRecord.Current;
        if (call is not null)
        {
            call.OnRequest();
        }
        else if (CallMetrics.Enabled)
        {
            call = CallRecord.ForRequest(MetricMethodNames.FromRequest(request), controller.Target.Canonical);
        }

        var snapshot = controller.CurrentPicker;
        var result = snapshot.Picker.Pick(new PickContext(request));
        var sent = result.Type == PickResultType.Complete && Unwrap(result.Subchannel) is HttpSubchannel subchannel && TryStart(subchannel, result, request, call, transparent: false) is { } attempt
            ? SendAsync(attempt, request, snapshot, call, cancellationToken) // the common case: the first pick is READY
            : PickAndSendAsync(request, snapshot, result, failed: null, call, cancellationToken);
        return RouteRetryPolicy.InUse ? RetryByRouteAsync(sent, request, call, cancellationToken) : sent;
    }

    /// <summary>
    /// gRFC A44: while the request's route retry policy (set at pick time) lists the status of a trailers-only response,
    /// and attempts and the kept body last, wait gRPC's backoff and pick and send again (the route is matched anew).
    /// </summary>
    private async Task<HttpResponseMessage> RetryByRouteAsync(Task<HttpResponseMessage> first, HttpRequestMessage request, CallRecord? call, CancellationToken cancellationToken)
    {
        var response = await first.ConfigureAwait(false);
        var backoff = TimeSpan.Zero;
        for (var attempts = 1; RouteRetryPolicy.Of(request) is { } policy && attempts < policy.MaxAttempts; attempts++)
        {
            if (CallAttempt.TrailersOnlyStatus(response) is not { } code || !policy.RetryOn.Contains(code) || !CanResend(request) || cancellationToken.IsCancellationRequested)
            {
                break;
            }

            backoff = backoff == TimeSpan.Zero ? policy.InitialBackoff : TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, policy.MaxBackoff.Ticks));
            response.Dispose();
            await Task.Delay(TimeSpan.FromTicks((long)(Random.Shared.NextDouble() * backoff.Ticks)), controller.TimeProvider, cancellationToken).ConfigureAwait(false);
            response = await PickAndSendAsync(request, controller.CurrentPicker, null, failed: null, call, cancellationToken).ConfigureAwait(false);
        }

        (request.Content as ReplayableContent)?.StopCapturing(); // no more resends: give the kept body back
        return response;
    }

    /// <summary>Starts an attempt on a picked subchannel and names the backend on the call's trace.</summary>
    private CallAttempt? TryStart(HttpSubchannel subchannel, in PickResult result, HttpRequestMessage request, CallRecord? call, bool transparent)
    {
        var attempt = CallAttempt.TryStart(subchannel, result.CallTracker, request, call, transparent);
        if (attempt is not null && AttemptTracing.CallActivity is { } activity)
        {
            AttemptTracing.Placed(activity, subchannel, controller.PolicyName);
        }

        return attempt;
    }

    /// <summary>
    /// Picks until the call is placed or fails. A subchannel the picker offers that is not READY, or on which the call
    /// never reached the server, is avoided for the rest of that picker's life and the call is picked again at once;
    /// when the picker offers only subchannels already avoided, the call waits for the next picker (as grpc-go does).
    /// Deadline and cancellation bound the whole loop.
    /// </summary>
    private async Task<HttpResponseMessage> PickAndSendAsync(HttpRequestMessage request, PickerSnapshot snapshot, PickResult? firstResult, FailedPicks? failed, CallRecord? call, CancellationToken cancellationToken)
    {
        controller.ExitIdle();
        var waitForReady = request.Options.TryGetValue(WaitForReadyKey, out var wfr) && wfr;
        var result = firstResult ?? snapshot.Picker.Pick(new PickContext(request));
        var transparent = failed is not null; // an attempt of this request already failed to reach its server
        QueuedPick? queued = null; // set while the pick waits for a new picker
        try
        {
            while (true)
            {
                var pickAgainNow = false;
                switch (result.Type)
                {
                    case PickResultType.Complete:
                        if (Unwrap(result.Subchannel) is not HttpSubchannel subchannel)
                        {
                            throw new InvalidOperationException($"The picker returned a subchannel that this channel did not create: {result.Subchannel}.");
                        }

                        if (failed?.Contains(snapshot, subchannel) == true)
                        {
                            break; // this picker has nothing new to offer: wait for the next one
                        }

                        if (TryStart(subchannel, result, request, call, transparent) is { } attempt)
                        {
                            queued?.End("placed");
                            queued = null;
                            var response = await SendAsync(attempt, request, pickedFrom: null, call, cancellationToken).ConfigureAwait(false);
                            if (response != NeverReached)
                            {
                                return response;
                            }

                            transparent = true;
                        }
                        else
                        {
                            subchannel.RequestConnection(); // pickers should offer READY subchannels; an IDLE one is asked to connect
                        }

                        failed ??= new FailedPicks();
                        failed.Add(snapshot, subchannel);
                        pickAgainNow = true;
                        break;

                    case PickResultType.Fail when !waitForReady:
                        return Fail(request, call, result.Status, doNotRetry: false);

                    case PickResultType.Drop:
                        return Fail(request, call, result.Status, doNotRetry: true);
                }

                if (controller.IsDisposed)
                {
                    return Fail(request, call, new Status(StatusCode.Unavailable, "the channel was disposed"), doNotRetry: true);
                }

                cancellationToken.ThrowIfCancellationRequested();
                if (!pickAgainNow)
                {
                    queued ??= new QueuedPick(controller.Target.Canonical);
                    await snapshot.WaitForNextAsync(cancellationToken).ConfigureAwait(false);
                }

                snapshot = controller.CurrentPicker;
                result = snapshot.Picker.Pick(new PickContext(request));
            }
        }
        catch (OperationCanceledException)
        {
            queued?.End("cancelled");
            call?.OnRequestEnded(StatusCode.Cancelled);
            throw;
        }
        finally
        {
            queued?.End("failed"); // a no-op when it ended above
        }
    }

    // The call fails without (another) attempt: a status response, which also ends a request-level call record.
    private static HttpResponseMessage Fail(HttpRequestMessage request, CallRecord? call, Status status, bool doNotRetry)
    {
        call?.OnRequestEnded(status.StatusCode);
        return GrpcStatusResponse.Create(request, status, doNotRetry);
    }

    /// <summary>The transport subchannel under any policy wrappers (<see cref="DelegatingSubchannel"/>).</summary>
    internal static Subchannel? Unwrap(Subchannel? subchannel)
    {
        while (subchannel is DelegatingSubchannel delegating)
        {
            subchannel = delegating.Inner;
        }

        return subchannel;
    }

    /// <summary>
    /// gRPC's transparent-retry rule: true when the request provably never reached a server application, so it can be
    /// picked again, any number of times, without a retry policy. That is: no connection could be opened for it (a
    /// failed connect, a TLS failure, or a subchannel that is no longer connected), or the server refused its stream
    /// (REFUSED_STREAM, or GOAWAY with a last-stream-id below it; SocketsHttpHandler resends those itself and reports
    /// the refusal only when its own resend could not connect or gave up).
    /// </summary>
    internal static bool NeverReachedServer(HttpRequestException ex)
    {
        if (ex.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.SecureConnectionError)
        {
            return true;
        }

        for (Exception? e = ex; e is not null; e = e.InnerException)
        {
            if (e is SubchannelNotConnectedException || e is HttpProtocolException { ErrorCode: 0x0 or 0x7 })
            {
                return true; // not connected; NO_ERROR (GOAWAY above the stream) or REFUSED_STREAM
            }
        }

        return false;
    }

    private static bool CanResend(HttpRequestMessage request) => request.Content is not ReplayableContent { CanReplay: false };

    /// <summary>
    /// Sends one attempt. When the call never reached the server: for the first attempt (<paramref name="pickedFrom"/>
    /// set) it goes on to pick again; inside the pick loop it returns <see cref="NeverReached"/> and the loop picks again.
    /// </summary>
    private async Task<HttpResponseMessage> SendAsync(CallAttempt attempt, HttpRequestMessage request, PickerSnapshot? pickedFrom, CallRecord? call, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            response = await attempt.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException ex) when (NeverReachedServer(ex) && CanResend(request) && !cancellationToken.IsCancellationRequested)
        {
            // Picked again, avoiding this backend until the picker changes; the deadline or cancellation bounds it.
            attempt.End(new Status(StatusCode.Unavailable, ex.Message, ex), final: false);
            if (AttemptTracing.CallActivity is { } activity)
            {
                AttemptTracing.TransparentRetry(activity, attempt.Subchannel, ex);
            }

            return pickedFrom is null
                ? NeverReached
                : await PickAndSendAsync(request, controller.CurrentPicker, null, new FailedPicks(pickedFrom, attempt.Subchannel), call, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            throw attempt.Fail(ex);
        }
        catch (Exception ex)
        {
            attempt.End(CallAttempt.FromException(ex));
            throw;
        }

        return attempt.OnResponse(request, response);
    }
}
