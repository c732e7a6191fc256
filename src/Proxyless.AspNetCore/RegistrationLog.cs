using Microsoft.Extensions.Logging;

namespace Proxyless.AspNetCore;

internal static partial class RegistrationLog
{
    [LoggerMessage(500, LogLevel.Information, "Registered {Instance}.")]
    public static partial void Registered(ILogger logger, Discovery.ServiceInstance instance);

    [LoggerMessage(501, LogLevel.Information, "Draining for {Delay} before deregistering {Instance}.")]
    public static partial void Draining(ILogger logger, TimeSpan delay, string instance);

    [LoggerMessage(502, LogLevel.Information, "Deregistered {Instance}.")]
    public static partial void Deregistered(ILogger logger, string instance);

    [LoggerMessage(503, LogLevel.Error, "Deregistering {Instance} failed; the registry will drop it when its lease or heartbeat runs out.")]
    public static partial void DeregisterFailed(ILogger logger, Exception exception, string instance);

    [LoggerMessage(504, LogLevel.Warning, "Registering {Instance} failed: {Error}; retrying in {Delay} (logged again only if the error changes).")]
    public static partial void RegisterFailed(ILogger logger, string instance, string error, TimeSpan delay);

    [LoggerMessage(505, LogLevel.Information, "Registered {Instance} after {Attempts} attempts.")]
    public static partial void RegisteredAfterRetries(ILogger logger, Discovery.ServiceInstance instance, int attempts);
}
