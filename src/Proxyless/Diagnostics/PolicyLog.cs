using Microsoft.Extensions.Logging;
using Proxyless.Resolution;

namespace Proxyless.Diagnostics;

internal static partial class PolicyLog
{
    [LoggerMessage(300, LogLevel.Debug, "pick_first chose {Address}.")]
    public static partial void PickFirstConnected(ILogger logger, BackendAddress address);
}
