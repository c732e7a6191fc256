using Microsoft.Extensions.Logging;
using Proxyless.Balancing;

namespace Proxyless.Transport;

/// <summary>What a subchannel needs from its channel.</summary>
internal interface ISubchannelHost
{
    WorkSerializer Serializer { get; }

    ILoggerFactory LoggerFactory { get; }

    TimeProvider TimeProvider { get; }

    ConnectionOptions ConnectionOptions { get; }

    /// <summary>The scheme and authority every request carries (e.g. <c>http://my-service</c>).</summary>
    Uri BaseUri { get; }
}
