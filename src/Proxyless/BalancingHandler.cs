using System.Diagnostics;
using Grpc.Core;
using Proxyless.Balancing;
using Proxyless.Transport;

namespace Proxyless;

/// <summary>
/// The <see cref="HttpMessageHandler"/> under <c>GrpcChannel</c>: every HTTP request is one call attempt (retries and
/// hedges included), so each is picked anew. Complete → forward on the chosen subchannel; Queue → wait for the next
/// picker; Fail → UNAVAILABLE unless wait-for-ready; Drop → fail without retry.
/// </summary>
internal sealed class BalancingHandler(ChannelController controller) : HttpMessageHandler
{
    private static readonly HttpRequestOptionsKey<bool> WaitForReadyKey = new("WaitForReady");

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var snapshot = controller.CurrentPicker;
        var result = snapshot.Picker.Pick(new PickContext(request));
        if (result.Type == PickResultType.Complete && Unwrap(result.Subchannel) is HttpSubchannel subchannel && subchannel.TryAcquireCall())
        {
            return SendOnSubchannelAsync(subchannel, result.CallTracker, request, transparentRetryLeft: true, cancellationToken);
        }

        return SendAfterWaitingAsync(request, snapshot, result, excluded: null, cancellationToken);
    }

    private async Task<HttpResponseMessage> SendAfterWaitingAsync(HttpRequestMessage request, PickerSnapshot snapshot, PickResult result, HttpSubchannel? excluded, CancellationToken cancellationToken)
    {
        var excludedIn = snapshot;
        controller.ExitIdle();
        var waitForReady = request.Options.TryGetValue(WaitForReadyKey, out var wfr) && wfr;
        while (true)
        {
            switch (result.Type)
            {
                case PickResultType.Complete:
                    if (Unwrap(result.Subchannel) is not HttpSubchannel subchannel)
                    {
                        throw new InvalidOperationException($"The picker returned a subchannel that this channel did not create: {result.Subchannel}.");
                    }

                    // A transparent retry avoids the backend that just failed, as long as the picker has not changed since.
                    if ((subchannel != excluded || snapshot != excludedIn) && subchannel.TryAcquireCall())
                    {
                        return await SendOnSubchannelAsync(subchannel, result.CallTracker, request, transparentRetryLeft: excluded is null, cancellationToken).ConfigureAwait(false);
                    }

                    break; // shut down after the picker chose it, or the backend to avoid: wait for a newer picker

                case PickResultType.Fail when !waitForReady:
                    return GrpcStatusResponse.Create(request, result.Status, doNotRetry: false);

                case PickResultType.Drop:
                    return GrpcStatusResponse.Create(request, result.Status, doNotRetry: true);
            }

            if (controller.IsDisposed)
            {
                return GrpcStatusResponse.Create(request, new Status(StatusCode.Unavailable, "the channel was disposed"), doNotRetry: true);
            }

            await snapshot.WaitForNextAsync(cancellationToken).ConfigureAwait(false);
            snapshot = controller.CurrentPicker;
            result = snapshot.Picker.Pick(new PickContext(request));
        }
    }

    private static bool ClosedWithoutError(Exception ex)
    {
        for (var e = ex; e is not null; e = e.InnerException)
        {
            if (e is HttpProtocolException { ErrorCode: 0 })
            {
                return true;
            }
        }

        return false;
    }

    private static Subchannel? Unwrap(Subchannel? subchannel)
    {
        while (subchannel is DelegatingSubchannel delegating)
        {
            subchannel = delegating.Inner;
        }

        return subchannel;
    }

    // A request that never reached a server (the connection could not be opened, or the subchannel was shut down
    // after the pick) is picked again once, like gRPC's transparent retry, even without a retry policy.
    private static bool NeverLeftTheClient(HttpRequestException ex)
        => ex.HttpRequestError == HttpRequestError.ConnectionError || ex.InnerException is SubchannelShutdownException;

    private async Task<HttpResponseMessage> SendOnSubchannelAsync(HttpSubchannel subchannel, ICallTracker? tracker, HttpRequestMessage request, bool transparentRetryLeft, CancellationToken cancellationToken)
    {
        long start = 0;
        if (tracker is not null)
        {
            start = Stopwatch.GetTimestamp();
            tracker.OnCallStarted();
        }

        // With no connection open, a connect failure means the request was never written anywhere, so it can be sent
        // again. With one open, SocketsHttpHandler may have started the body on it before failing over internally.
        var hadConnection = subchannel.OpenConnections > 0;
        HttpResponseMessage response;
        try
        {
            response = await subchannel.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException ex) when (transparentRetryLeft && !hadConnection && NeverLeftTheClient(ex) && !cancellationToken.IsCancellationRequested)
        {
            TrackedContent.EndWithoutBody(subchannel, tracker, start, new Status(StatusCode.Unavailable, ex.Message, ex), null);
            subchannel.ReportConnectFailure(ex.Message);
            request.Headers.Host = null; // the next backend may be reached under another name
            var snapshot = controller.CurrentPicker;
            return await SendAfterWaitingAsync(request, snapshot, snapshot.Picker.Pick(new PickContext(request)), excluded: subchannel, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            TrackedContent.EndWithoutBody(subchannel, tracker, start, new Status(StatusCode.Unavailable, ex.Message, ex), null);

            // HttpRequestException's text names the logical host of the request URI; say which backend failed.
            var tlsFailure = subchannel.DescribeTlsFailure(ex);
            var message = tlsFailure ?? $"{ex.Message} (backend {subchannel.PeerText})";
            if (tlsFailure is not null || ClosedWithoutError(ex))
            {
                // A rejected certificate, or GOAWAY/close with NO_ERROR before the response began: the server did not
                // process this call, so it is UNAVAILABLE (retryable, and failover applies), not INTERNAL as grpc-dotnet
                // maps these. An IOException without the original chain makes grpc-dotnet say UNAVAILABLE.
                throw new HttpRequestException(message, new IOException(message), ex.StatusCode);
            }

            throw new HttpRequestException(message, ex, ex.StatusCode);
        }
        catch (Exception ex)
        {
            TrackedContent.EndWithoutBody(subchannel, tracker, start, TrackedContent.FromException(ex), null);
            throw;
        }

        response.Headers.TryAddWithoutValidation(CallPeer.HeaderName, subchannel.PeerText);
        if (response.StatusCode != System.Net.HttpStatusCode.OK)
        {
            TrackedContent.EndWithoutBody(subchannel, tracker, start, TrackedContent.FromHttpStatus(response.StatusCode), null);
            return response;
        }

        if (response.Headers.NonValidated.Contains("grpc-status"))
        {
            // Trailers-only response: the status is in the headers and the body is never read.
            TrackedContent.EndWithoutBody(subchannel, tracker, start, TrackedContent.ReadStatus(response.Headers, Status.DefaultSuccess), response.Headers);
            return response;
        }

        response.Content = new TrackedContent(response.Content, response, subchannel, tracker, start);
        return response;
    }
}
