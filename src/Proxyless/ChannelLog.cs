using Microsoft.Extensions.Logging;

namespace Proxyless;

internal static partial class ChannelLog
{
    [LoggerMessage(1, LogLevel.Error, "A policy callback threw; the channel keeps running.")]
    public static partial void SerializedActionFailed(ILogger logger, Exception exception);

    [LoggerMessage(2, LogLevel.Debug, "Channel state {State}.")]
    public static partial void StateChanged(ILogger logger, ConnectivityState state);

    [LoggerMessage(3, LogLevel.Debug, "Resolver result: {Result}.")]
    public static partial void ResolverResult(ILogger logger, Resolution.ResolverResult result);

    [LoggerMessage(4, LogLevel.Warning, "The resolver's service config was rejected; keeping the last good config. {Error}")]
    public static partial void BadResolverServiceConfig(ILogger logger, string error);

    [LoggerMessage(5, LogLevel.Information, "Load-balancing policy {Policy} in use.")]
    public static partial void PolicyChanged(ILogger logger, string policy);

    [LoggerMessage(6, LogLevel.Warning, "Service config: {Warning}")]
    public static partial void ServiceConfigWarning(ILogger logger, string warning);

    [LoggerMessage(7, LogLevel.Warning, "The policy rejected the resolver update ({Error}); asking the resolver to resolve again.")]
    public static partial void UpdateRejected(ILogger logger, string error);
}
