using Grpc.Core;
using Grpc.Core.Interceptors;

namespace Proxyless.Calls;

/// <summary>
/// <see cref="CallObserver"/> as an interceptor, for clients the gRPC client factory builds over a balanced channel's
/// handler (it creates its own invoker). Registered outermost, so the call's duration includes the other interceptors.
/// </summary>
internal sealed class CallObserverInterceptor(CallObserver observer) : Interceptor
{
    public override TResponse BlockingUnaryCall<TRequest, TResponse>(TRequest request, ClientInterceptorContext<TRequest, TResponse> context, BlockingUnaryCallContinuation<TRequest, TResponse> continuation)
        => observer.Start(context.Method) is { } record
            ? CallObserver.Blocking(record, () => continuation(request, context))
            : continuation(request, context);

    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(TRequest request, ClientInterceptorContext<TRequest, TResponse> context, AsyncUnaryCallContinuation<TRequest, TResponse> continuation)
    {
        if (observer.Start(context.Method) is not { } record)
        {
            return continuation(request, context);
        }

        using (record.Enter())
        {
            return CallObserver.Observe(record, continuation(request, context));
        }
    }

    public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(TRequest request, ClientInterceptorContext<TRequest, TResponse> context, AsyncServerStreamingCallContinuation<TRequest, TResponse> continuation)
    {
        if (observer.Start(context.Method) is not { } record)
        {
            return continuation(request, context);
        }

        using (record.Enter())
        {
            return CallObserver.Observe(record, continuation(request, context));
        }
    }

    public override AsyncClientStreamingCall<TRequest, TResponse> AsyncClientStreamingCall<TRequest, TResponse>(ClientInterceptorContext<TRequest, TResponse> context, AsyncClientStreamingCallContinuation<TRequest, TResponse> continuation)
    {
        if (observer.Start(context.Method) is not { } record)
        {
            return continuation(context);
        }

        using (record.Enter())
        {
            return CallObserver.Observe(record, continuation(context));
        }
    }

    public override AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCall<TRequest, TResponse>(ClientInterceptorContext<TRequest, TResponse> context, AsyncDuplexStreamingCallContinuation<TRequest, TResponse> continuation)
    {
        if (observer.Start(context.Method) is not { } record)
        {
            return continuation(context);
        }

        using (record.Enter())
        {
            return CallObserver.Observe(record, continuation(context));
        }
    }
}
