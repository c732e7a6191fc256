using Microsoft.Extensions.Logging;

namespace Proxyless.Transport;

internal static partial class SubchannelLog
{
    [LoggerMessage(100, LogLevel.Debug, "Connecting to {Address}.")]
    public static partial void Connecting(ILogger logger, string address);

    [LoggerMessage(101, LogLevel.Debug, "Connected to {Address}.")]
    public static partial void Connected(ILogger logger, string address);

    [LoggerMessage(102, LogLevel.Information, "Subchannel {Address}: {Error}; retrying in {Delay}.")]
    public static partial void ConnectFailed(ILogger logger, string address, string error, TimeSpan delay);

    [LoggerMessage(103, LogLevel.Information, "Connection to {Address} lost: {Reason}.")]
    public static partial void ConnectionLost(ILogger logger, string address, string reason);

    [LoggerMessage(104, LogLevel.Warning, "Subchannel {Address}: the connection trigger was sent on an existing connection and answered; it should have been withdrawn before any request used the connection.")]
    public static partial void TriggerAnswered(ILogger logger, string address);
}
