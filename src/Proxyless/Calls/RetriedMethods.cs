using GrpcServiceConfig = Grpc.Net.Client.Configuration.ServiceConfig;

namespace Proxyless.Calls;

/// <summary>
/// Which methods the service config retries (<c>retryPolicy</c>) or hedges (<c>hedgingPolicy</c>), found as gRPC looks
/// a method config up: the exact method, then its service, then the default. Only their calls can span several HTTP
/// requests, so only they are followed from the call invoker; a hedged call's extra attempts are hedges, not retries.
/// </summary>
internal sealed class RetriedMethods
{
    private readonly MethodConfigLookup<RetryKind> _kinds = new();

    public RetriedMethods(GrpcServiceConfig config)
    {
        foreach (var methodConfig in config.MethodConfigs)
        {
            var kind = methodConfig.HedgingPolicy is not null ? RetryKind.Hedging : methodConfig.RetryPolicy is not null ? RetryKind.Retry : RetryKind.None;
            foreach (var name in methodConfig.Names)
            {
                _kinds.Add(name.Service, name.Method, kind);
            }
        }
    }

    /// <summary>How calls of the method are retried.</summary>
    public RetryKind KindOf(Grpc.Core.IMethod method) => _kinds.TryFind(method.ServiceName, method.FullName, out var kind) ? kind : RetryKind.None;
}
