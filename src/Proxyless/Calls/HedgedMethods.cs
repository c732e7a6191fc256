using GrpcServiceConfig = Grpc.Net.Client.Configuration.ServiceConfig;

namespace Proxyless.Calls;

/// <summary>
/// Which methods the service config hedges (a <c>hedgingPolicy</c> in their method config), found as gRPC looks a
/// method config up: the exact method, then its service, then the default. A hedged call's extra attempts are hedges,
/// not retries, in the A96 metrics.
/// </summary>
internal sealed class HedgedMethods
{
    private readonly Dictionary<string, bool> _services = new(StringComparer.Ordinal);
    private readonly Dictionary<string, bool> _exact = new(StringComparer.Ordinal); // "/service/method"
    private readonly bool? _default;

    public HedgedMethods(GrpcServiceConfig config)
    {
        foreach (var methodConfig in config.MethodConfigs)
        {
            var hedged = methodConfig.HedgingPolicy is not null;
            foreach (var name in methodConfig.Names)
            {
                var service = name.Service ?? "";
                var method = name.Method ?? "";
                if (service.Length == 0)
                {
                    _default ??= hedged;
                }
                else if (method.Length == 0)
                {
                    _services.TryAdd(service, hedged);
                }
                else
                {
                    _exact.TryAdd($"/{service}/{method}", hedged);
                }
            }
        }
    }

    /// <summary>True when calls of the method are hedged.</summary>
    public bool IsHedged(Grpc.Core.IMethod method)
    {
        if (_exact.TryGetValue(method.FullName, out var exact))
        {
            return exact;
        }

        return _services.TryGetValue(method.ServiceName, out var hedged) ? hedged : _default ?? false;
    }
}
