using Microsoft.Extensions.Logging;

namespace Proxyless.Balancing.Policies.OutlierDetection;

internal static partial class OutlierLog
{
    [LoggerMessage(700, LogLevel.Warning, "Outlier detection ejected {Address}: {Reason}.")]
    public static partial void Ejected(ILogger logger, string address, string reason);

    [LoggerMessage(701, LogLevel.Information, "Outlier detection returned {Address} to service.")]
    public static partial void Unejected(ILogger logger, string address);
}
