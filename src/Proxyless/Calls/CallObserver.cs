using Grpc.Core;

namespace Proxyless.Calls;

/// <summary>
/// Follows the calls of retried or hedged methods for the per-call metrics: starts a <see cref="CallRecord"/> when a
/// per-call instrument is listened to, makes it current while grpc-dotnet starts the call (its attempts then find it),
/// and wraps what the application gets back so the record ends when the status is delivered (response, end of the
/// response stream, an error, or disposal). A method without a retry or hedging policy makes one HTTP request per call,
/// so the balancing handler follows its calls itself, at no cost here. Used by the balanced channel's own call invoker
/// and, for clients made by the gRPC client factory, as an interceptor.
/// </summary>
internal sealed class CallObserver(string target, RetriedMethods retried)
{
    private static readonly Action<object> DisposeAction = static s =>
    {
        var record = (CallRecord)s;
        record.End(StatusCode.Cancelled); // disposed before it ended; a no-op when the call already ended
        ((IDisposable)record.Call!).Dispose();
    };

    /// <summary>A record for a new call of a retried or hedged <paramref name="method"/> when a per-call instrument is
    /// listened to; otherwise null.</summary>
    public CallRecord? Start(IMethod method)
    {
        if (!Diagnostics.CallMetrics.Enabled)
        {
            return null;
        }

        var kind = retried.KindOf(method);
        return kind == RetryKind.None ? null : CallRecord.ForCall(method.FullName, target, hedged: kind == RetryKind.Hedging);
    }

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

    // The wrappers use Grpc.Core's state-taking constructors with static lambdas over the record (which holds the
    // inner call), so wrapping allocates only the wrapper and, for a response task, its continuation. The inner call's
    // response headers are only asked for when the application asks.
    public static AsyncUnaryCall<TResponse> Observe<TResponse>(CallRecord record, AsyncUnaryCall<TResponse> call)
    {
        record.Call = call;
        return new(
            ObserveResponseAsync(call.ResponseAsync, record),
            static s => Inner<AsyncUnaryCall<TResponse>>(s).ResponseHeadersAsync,
            static s => Inner<AsyncUnaryCall<TResponse>>(s).GetStatus(),
            static s => Inner<AsyncUnaryCall<TResponse>>(s).GetTrailers(),
            DisposeAction,
            record);
    }

    public static AsyncClientStreamingCall<TRequest, TResponse> Observe<TRequest, TResponse>(CallRecord record, AsyncClientStreamingCall<TRequest, TResponse> call)
    {
        record.Call = call;
        return new(
            call.RequestStream,
            ObserveResponseAsync(call.ResponseAsync, record),
            static s => Inner<AsyncClientStreamingCall<TRequest, TResponse>>(s).ResponseHeadersAsync,
            static s => Inner<AsyncClientStreamingCall<TRequest, TResponse>>(s).GetStatus(),
            static s => Inner<AsyncClientStreamingCall<TRequest, TResponse>>(s).GetTrailers(),
            DisposeAction,
            record);
    }

    public static AsyncServerStreamingCall<TResponse> Observe<TResponse>(CallRecord record, AsyncServerStreamingCall<TResponse> call)
    {
        record.Call = call;
        return new(
            new ObservedResponseStream<TResponse>(call.ResponseStream, record, call.GetStatus),
            static s => Inner<AsyncServerStreamingCall<TResponse>>(s).ResponseHeadersAsync,
            static s => Inner<AsyncServerStreamingCall<TResponse>>(s).GetStatus(),
            static s => Inner<AsyncServerStreamingCall<TResponse>>(s).GetTrailers(),
            DisposeAction,
            record);
    }

    public static AsyncDuplexStreamingCall<TRequest, TResponse> Observe<TRequest, TResponse>(CallRecord record, AsyncDuplexStreamingCall<TRequest, TResponse> call)
    {
        record.Call = call;
        return new(
            call.RequestStream,
            new ObservedResponseStream<TResponse>(call.ResponseStream, record, call.GetStatus),
            static s => Inner<AsyncDuplexStreamingCall<TRequest, TResponse>>(s).ResponseHeadersAsync,
            static s => Inner<AsyncDuplexStreamingCall<TRequest, TResponse>>(s).GetStatus(),
            static s => Inner<AsyncDuplexStreamingCall<TRequest, TResponse>>(s).GetTrailers(),
            DisposeAction,
            record);
    }

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

    private static TCall Inner<TCall>(object state) => (TCall)((CallRecord)state).Call!;

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
