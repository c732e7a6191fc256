using Microsoft.Extensions.Logging;

namespace Proxyless.Health;

internal static partial class HealthLog
{
    [LoggerMessage(600, LogLevel.Warning, "{Address} does not implement grpc.health.v1 (service '{Service}'); treating it as healthy.")]
    public static partial void Unimplemented(ILogger logger, string address, string service);

    [LoggerMessage(601, LogLevel.Debug, "Health watch of {Address} broke ({Error}); retrying.")]
    public static partial void WatchBroken(ILogger logger, string address, string error);
}
