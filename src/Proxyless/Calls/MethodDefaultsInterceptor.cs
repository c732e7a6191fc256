using Grpc.Core;
using Grpc.Core.Interceptors;
using Proxyless.Configuration;

namespace Proxyless.Calls;

/// <summary>
/// Applies the service config's per-method <c>timeout</c> and <c>waitForReady</c>, which grpc-dotnet does not:
/// the deadline becomes the earlier of the caller's and now + timeout; wait-for-ready is set when the config says so.
/// Lookup order follows gRPC: exact method, then the service's default, then the channel-wide default.
/// </summary>
internal sealed class MethodDefaultsInterceptor : Interceptor
{
    private readonly MethodConfigLookup<MethodCallSettings> _settings = new();

    public MethodDefaultsInterceptor(IReadOnlyList<MethodCallSettings> settings)
    {
        foreach (var setting in settings)
        {
            foreach (var (service, method) in setting.Names)
            {
                _settings.Add(service, method, setting);
            }
        }
    }

    public override TResponse BlockingUnaryCall<TRequest, TResponse>(TRequest request, ClientInterceptorContext<TRequest, TResponse> context, BlockingUnaryCallContinuation<TRequest, TResponse> continuation)
        => continuation(request, Apply(context));

    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(TRequest request, ClientInterceptorContext<TRequest, TResponse> context, AsyncUnaryCallContinuation<TRequest, TResponse> continuation)
        => continuation(request, Apply(context));

    public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(TRequest request, ClientInterceptorContext<TRequest, TResponse> context, AsyncServerStreamingCallContinuation<TRequest, TResponse> continuation)
        => continuation(request, Apply(context));

    public override AsyncClientStreamingCall<TRequest, TResponse> AsyncClientStreamingCall<TRequest, TResponse>(ClientInterceptorContext<TRequest, TResponse> context, AsyncClientStreamingCallContinuation<TRequest, TResponse> continuation)
        => continuation(Apply(context));

    public override AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCall<TRequest, TResponse>(ClientInterceptorContext<TRequest, TResponse> context, AsyncDuplexStreamingCallContinuation<TRequest, TResponse> continuation)
        => continuation(Apply(context));

    internal MethodCallSettings? Find(string serviceName, string methodName) => FindByFullName(serviceName, $"/{serviceName}/{methodName}");

    private MethodCallSettings? FindByFullName(string serviceName, string fullName) => _settings.TryFind(serviceName, fullName, out var s) ? s : null;

    private ClientInterceptorContext<TRequest, TResponse> Apply<TRequest, TResponse>(ClientInterceptorContext<TRequest, TResponse> context)
        where TRequest : class
        where TResponse : class
    {
        var settings = FindByFullName(context.Method.ServiceName, context.Method.FullName);
        if (settings is null)
        {
            return context;
        }

        var options = context.Options;
        if (settings.Timeout is { } timeout)
        {
            // A timeout that ends after the last representable date (protobuf durations reach 10,000 years) is no deadline.
            var now = DateTime.UtcNow;
            var deadline = timeout < DateTime.MaxValue - now ? now + timeout : DateTime.MaxValue;
            if (options.Deadline is null || options.Deadline.Value > deadline)
            {
                options = options.WithDeadline(deadline);
            }
        }

        if (settings.WaitForReady == true && !options.IsWaitForReady)
        {
            options = options.WithWaitForReady(true);
        }

        return new ClientInterceptorContext<TRequest, TResponse>(context.Method, context.Host, options);
    }
}
