using Microsoft.Extensions.Logging;

namespace Proxyless.Xds.Client;

/// <summary>The xDS client's log messages.</summary>
internal static partial class XdsClientLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "xDS stream to {Server} failed after {Responses} responses; retrying in {Delay}: {Error}")]
    public static partial void StreamFailed(ILogger logger, string server, int responses, TimeSpan delay, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "xDS {Type} response version {Version} from {Server} rejected (NACK): {Error}")]
    public static partial void Nacked(ILogger logger, string type, string version, string server, string error);

    [LoggerMessage(Level = LogLevel.Debug, Message = "xDS {Type} response version {Version} from {Server} accepted ({Count} resources)")]
    public static partial void Acked(ILogger logger, string type, string version, string server, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "xDS {Type} resource {Name} does not exist at {Server}")]
    public static partial void DoesNotExist(ILogger logger, string type, string name, string server);
}
