using Grpc.Core;

namespace Proxyless.Calls;

/// <summary>
/// Follows calls for the per-call metrics: starts a <see cref="CallRecord"/> when a per-call instrument is listened to,
/// makes it current while grpc-dotnet starts the call, and wraps what the application gets back so the record ends
/// when the status is delivered (response, end of the response stream, an error, or disposal). Used by the balanced
/// channel's own call invoker and, for clients made by the gRPC client factory, as an interceptor.
/// </summary>
internal sealed class CallObserver(string target, HedgedMethods hedged)
{
    private static readonly Status DisposedEarly = new(StatusCode.Cancelled, "the call was disposed before it ended");

    /// <summary>A record for a new call of <paramref name="method"/>, or null when no per-call instrument is listened to.</summary>
    public CallRecord? Start(IMethod method) => CallRecord.TryStart(method.FullName, target, hedged.IsHedged(method));

    public static TResponse Blocking<TResponse>(CallRecord record, Func<TResponse> call)
    {
        TResponse response;
        try
        {
            using (record.Enter())
            {
                response = call();
            }
        }
        catch (Exception ex)
        {
            record.End(StatusOf(ex));
            throw;
        }

        record.End(StatusCode.OK);
        return response;
    }

    public static AsyncUnaryCall<TResponse> Observe<TResponse>(CallRecord record, AsyncUnaryCall<TResponse> call)
        => new(ObserveResponseAsync(call.ResponseAsync, record), call.ResponseHeadersAsync, call.GetStatus, call.GetTrailers, () => Dispose(record, call));

    public static AsyncClientStreamingCall<TRequest, TResponse> Observe<TRequest, TResponse>(CallRecord record, AsyncClientStreamingCall<TRequest, TResponse> call)
        => new(call.RequestStream, ObserveResponseAsync(call.ResponseAsync, record), call.ResponseHeadersAsync, call.GetStatus, call.GetTrailers, () => Dispose(record, call));

    public static AsyncServerStreamingCall<TResponse> Observe<TResponse>(CallRecord record, AsyncServerStreamingCall<TResponse> call)
        => new(new ObservedResponseStream<TResponse>(call.ResponseStream, record, call.GetStatus), call.ResponseHeadersAsync, call.GetStatus, call.GetTrailers, () => Dispose(record, call));

    public static AsyncDuplexStreamingCall<TRequest, TResponse> Observe<TRequest, TResponse>(CallRecord record, AsyncDuplexStreamingCall<TRequest, TResponse> call)
        => new(call.RequestStream, new ObservedResponseStream<TResponse>(call.ResponseStream, record, call.GetStatus), call.ResponseHeadersAsync, call.GetStatus, call.GetTrailers, () => Dispose(record, call));

    /// <summary>The status an application sees in <paramref name="ex"/>.</summary>
    public static StatusCode StatusOf(Exception ex) => ex switch
    {
        RpcException rpc => rpc.StatusCode,
        OperationCanceledException => StatusCode.Cancelled,
        _ => StatusCode.Unknown,
    };

    private static async Task<TResponse> ObserveResponseAsync<TResponse>(Task<TResponse> response, CallRecord record)
    {
        TResponse result;
        try
        {
            result = await response.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            record.End(StatusOf(ex));
            throw;
        }

        record.End(StatusCode.OK);
        return result;
    }

    private static void Dispose(CallRecord record, IDisposable call)
    {
        record.End(DisposedEarly.StatusCode); // a no-op when the call already ended
        call.Dispose();
    }

    /// <summary>A response stream whose end (or failure) ends the call's record.</summary>
    private sealed class ObservedResponseStream<T>(IAsyncStreamReader<T> inner, CallRecord record, Func<Status> getStatus) : IAsyncStreamReader<T>
    {
        public T Current => inner.Current;

        public async Task<bool> MoveNext(CancellationToken cancellationToken)
        {
            try
            {
                if (await inner.MoveNext(cancellationToken).ConfigureAwait(false))
                {
                    return true;
                }
            }
            catch (Exception ex)
            {
                record.End(StatusOf(ex));
                throw;
            }

            record.End(getStatus().StatusCode);
            return false;
        }
    }
}
