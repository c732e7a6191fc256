using Microsoft.Extensions.Logging;

namespace Proxyless.Etcd;

internal static partial class EtcdLog
{
    [LoggerMessage(400, LogLevel.Warning, "Skipping malformed etcd entry {Key}: {Problem}")]
    public static partial void MalformedEntry(ILogger logger, string key, string problem);

    [LoggerMessage(401, LogLevel.Warning, "etcd watch of {Prefix} failed ({Error}); keeping the last instances and reconnecting in {Delay}.")]
    public static partial void WatchFailed(ILogger logger, string prefix, string error, TimeSpan delay);

    [LoggerMessage(402, LogLevel.Warning, "Registration {Key} lost ({Reason}); registering again in {Delay}.")]
    public static partial void RegistrationLost(ILogger logger, string key, string reason, TimeSpan delay);

    [LoggerMessage(403, LogLevel.Information, "Registered {Key} with lease {Lease:x} (TTL {Ttl} s).")]
    public static partial void Registered(ILogger logger, string key, long lease, long ttl);
}
