using Grpc.Core;

namespace Proxyless.Calls;

/// <summary>
/// The balanced channel's call invoker: hands every call to the inner invoker, and follows it for the per-call metrics
/// when they are listened to. (An interceptor would do the same but allocate a continuation for every call.)
/// </summary>
internal sealed class ObservedCallInvoker(CallInvoker inner, CallObserver observer) : CallInvoker
{
    public override TResponse BlockingUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request)
        => observer.Start(method) is { } record
            ? CallObserver.Blocking(record, () => inner.BlockingUnaryCall(method, host, options, request))
            : inner.BlockingUnaryCall(method, host, options, request);

    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request)
    {
        if (observer.Start(method) is not { } record)
        {
            return inner.AsyncUnaryCall(method, host, options, request);
        }

        using (record.Enter())
        {
            return CallObserver.Observe(record, inner.AsyncUnaryCall(method, host, options, request));
        }
    }

    public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request)
    {
        if (observer.Start(method) is not { } record)
        {
            return inner.AsyncServerStreamingCall(method, host, options, request);
        }

        using (record.Enter())
        {
            return CallObserver.Observe(record, inner.AsyncServerStreamingCall(method, host, options, request));
        }
    }

    public override AsyncClientStreamingCall<TRequest, TResponse> AsyncClientStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options)
    {
        if (observer.Start(method) is not { } record)
        {
            return inner.AsyncClientStreamingCall(method, host, options);
        }

        using (record.Enter())
        {
            return CallObserver.Observe(record, inner.AsyncClientStreamingCall(method, host, options));
        }
    }

    public override AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options)
    {
        if (observer.Start(method) is not { } record)
        {
            return inner.AsyncDuplexStreamingCall(method, host, options);
        }

        using (record.Enter())
        {
            return CallObserver.Observe(record, inner.AsyncDuplexStreamingCall(method, host, options));
        }
    }
}
