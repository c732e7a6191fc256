using Microsoft.Extensions.Logging;
using Proxyless.Balancing;

namespace Proxyless.Transport;

/// <summary>What a subchannel needs from its channel.</summary>
internal interface ISubchannelHost
{
    WorkSerializer Serializer { get; }

    /// <summary>The channel's target as the user wrote it (the <c>grpc.target</c> metric label).</summary>
    Resolution.ResolverTarget Target { get; }

    ILoggerFactory LoggerFactory { get; }

    TimeProvider TimeProvider { get; }

    ConnectionOptions ConnectionOptions { get; }

    /// <summary>The scheme and authority every request carries (e.g. <c>http://my-service</c>).</summary>
    Uri BaseUri { get; }

    /// <summary>TLS for every subchannel, or null for plaintext HTTP/2.</summary>
    TlsOptions? Tls { get; }

    /// <summary>The TLS server name for addresses that carry none: the target's host.</summary>
    string DefaultServerName { get; }

    /// <summary>The service name to health-check (gRFC A17), or null when the service config has no healthCheckConfig.</summary>
    string? HealthCheckServiceName { get; }
}
