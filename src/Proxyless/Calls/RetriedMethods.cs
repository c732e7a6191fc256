using GrpcServiceConfig = Grpc.Net.Client.Configuration.ServiceConfig;

namespace Proxyless.Calls;

/// <summary>
/// Which methods the service config retries (<c>retryPolicy</c>) or hedges (<c>hedgingPolicy</c>), found as gRPC looks
/// a method config up: the exact method, then its service, then the default. Only their calls can span several HTTP
/// requests, so only they are followed from the call invoker; a hedged call's extra attempts are hedges, not retries.
/// </summary>
internal sealed class RetriedMethods
{
    private readonly Dictionary<string, RetryKind> _exact = new(StringComparer.Ordinal); // "/service/method"
    private readonly Dictionary<string, RetryKind> _services = new(StringComparer.Ordinal);
    private readonly RetryKind? _default;

    public RetriedMethods(GrpcServiceConfig config)
    {
        foreach (var methodConfig in config.MethodConfigs)
        {
            var kind = methodConfig.HedgingPolicy is not null ? RetryKind.Hedging : methodConfig.RetryPolicy is not null ? RetryKind.Retry : RetryKind.None;
            foreach (var name in methodConfig.Names)
            {
                var service = name.Service ?? "";
                var method = name.Method ?? "";
                if (service.Length == 0)
                {
                    _default ??= kind;
                }
                else if (method.Length == 0)
                {
                    _services.TryAdd(service, kind);
                }
                else
                {
                    _exact.TryAdd($"/{service}/{method}", kind);
                }
            }
        }
    }

    /// <summary>How calls of the method are retried.</summary>
    public RetryKind KindOf(Grpc.Core.IMethod method)
    {
        if (_exact.Count > 0 && _exact.TryGetValue(method.FullName, out var exact))
        {
            return exact;
        }

        return _services.Count > 0 && _services.TryGetValue(method.ServiceName, out var kind) ? kind : _default ?? RetryKind.None;
    }
}
