using Microsoft.Extensions.Logging;
using Proxyless.Resolution;

namespace Proxyless.Balancing.Policies.PickFirst;

internal static partial class PickFirstLog
{
    [LoggerMessage(300, LogLevel.Debug, "pick_first chose {Address}.")]
    public static partial void PickFirstConnected(ILogger logger, BackendAddress address);
}
