using Microsoft.Extensions.Logging;

namespace Proxyless.Resolution;

internal static partial class ResolverLog
{
    [LoggerMessage(200, LogLevel.Debug, "Re-resolution requested too soon; it runs in {Delay}.")]
    public static partial void RefreshDeferred(ILogger logger, TimeSpan delay);

    [LoggerMessage(201, LogLevel.Warning, "Resolution failed: {Error}; retrying in {Delay}.")]
    public static partial void ResolveFailed(ILogger logger, string error, TimeSpan delay);
}
