using Microsoft.Extensions.Logging;

namespace Proxyless.Discovery;

internal static partial class DiscoveryLog
{
    [LoggerMessage(202, LogLevel.Warning, "Watching service '{Service}' failed: {Error}; keeping the last endpoints and retrying.")]
    public static partial void RegistryWatchFailed(ILogger logger, string service, string error);

    [LoggerMessage(203, LogLevel.Warning, "Skipping registry entry {Entry}: {Problem}")]
    public static partial void MalformedEntry(ILogger logger, string entry, string problem);

    [LoggerMessage(204, LogLevel.Information, "Removed stale registry entry {Entry}: {Reason}")]
    public static partial void StaleEntryRemoved(ILogger logger, string entry, string reason);

    [LoggerMessage(205, LogLevel.Warning, "Could not refresh registration {Entry}: {Error}")]
    public static partial void HeartbeatFailed(ILogger logger, string entry, string error);
}
