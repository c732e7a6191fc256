using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Proxyless.Resolution;

/// <summary>What the channel gives a resolver provider when it creates a resolver.</summary>
public sealed class ResolverOptions
{
    /// <summary>Logging.</summary>
    public ILoggerFactory LoggerFactory { get; init; } = NullLoggerFactory.Instance;

    /// <summary>Clock and timers; tests may substitute their own.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>The port to use when a target names none (443, as in gRPC).</summary>
    public int DefaultPort { get; init; } = 443;
}
