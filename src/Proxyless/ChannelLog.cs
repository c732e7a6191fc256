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

    [LoggerMessage(8, LogLevel.Error, "The service config reloaded from {Source} is invalid; keeping the last good config. {Error}")]
    public static partial void ReloadRejected(ILogger logger, string source, string error);

    [LoggerMessage(9, LogLevel.Information, "Service config reloaded from {Source}: policy {Policy} for new picks.")]
    public static partial void Reloaded(ILogger logger, string source, string policy);

    [LoggerMessage(10, LogLevel.Warning, "The service config reloaded from {Source} is not used: the resolver supplies the channel's config.")]
    public static partial void ReloadOverridden(ILogger logger, string source);
}
