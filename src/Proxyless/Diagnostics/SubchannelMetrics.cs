using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;

namespace Proxyless.Diagnostics;

/// <summary>
/// gRFC A94's subchannel instruments, with its names, units and labels: connection attempts that succeeded or failed,
/// disconnections of a connected subchannel with <c>grpc.disconnect_error</c>, and open connections (with
/// <c>grpc.security_level</c>), each labelled with <c>grpc.target</c>. Experimental in gRPC, so on <see cref="ProxylessMeters.Experimental"/>.
/// </summary>
internal static class SubchannelMetrics
{
    private static readonly Meter Meter = ProxylessMeters.ExperimentalMeter;

    private static readonly Counter<long> Disconnections = Meter.CreateCounter<long>(
        "grpc.subchannel.disconnections", "{disconnection}", "Number of times the selected subchannel becomes disconnected.");

    private static readonly Counter<long> AttemptsSucceeded = Meter.CreateCounter<long>(
        "grpc.subchannel.connection_attempts_succeeded", "{attempt}", "Number of successful connection attempts.");

    private static readonly Counter<long> AttemptsFailed = Meter.CreateCounter<long>(
        "grpc.subchannel.connection_attempts_failed", "{attempt}", "Number of failed connection attempts.");

    private static readonly UpDownCounter<long> OpenConnections = Meter.CreateUpDownCounter<long>(
        "grpc.subchannel.open_connections", "{connection}", "Number of open connections.");

    private static readonly string[] Http2Errors =
    [
        "NO_ERROR", "PROTOCOL_ERROR", "INTERNAL_ERROR", "FLOW_CONTROL_ERROR", "SETTINGS_TIMEOUT", "STREAM_CLOSED",
        "FRAME_SIZE_ERROR", "REFUSED_STREAM", "CANCEL", "COMPRESSION_ERROR", "CONNECT_ERROR", "ENHANCE_YOUR_CALM",
        "INADEQUATE_SECURITY", "HTTP_1_1_REQUIRED",
    ];

    private static readonly string[] GoAwayNames = [.. Http2Errors.Select(e => "GOAWAY " + e)];

    public static void AttemptSucceeded(string target) => AttemptsSucceeded.Add(1, new KeyValuePair<string, object?>("grpc.target", target));

    public static void AttemptFailed(string target) => AttemptsFailed.Add(1, new KeyValuePair<string, object?>("grpc.target", target));

    public static void ConnectionOpened(string target, bool tls) => OpenConnections.Add(1, new TagList { { "grpc.target", target }, { "grpc.security_level", SecurityLevel(tls) } });

    public static void ConnectionClosed(string target, bool tls) => OpenConnections.Add(-1, new TagList { { "grpc.target", target }, { "grpc.security_level", SecurityLevel(tls) } });

    // A94's optional grpc.security_level: TLS gives privacy and integrity; plaintext, none.
    private static string SecurityLevel(bool tls) => tls ? "privacy_and_integrity" : "none";

    public static void Disconnected(string target, string error)
        => Disconnections.Add(1, new TagList { { "grpc.target", target }, { "grpc.disconnect_error", error } });

    /// <summary>A94's <c>grpc.disconnect_error</c> for a cause no other value covers.</summary>
    public const string Unknown = "unknown";

    /// <summary>A94's value for a connection that timed out, keepalive included.</summary>
    public const string TimedOut = "connection timed out";

    /// <summary>A94's value for a subchannel shut down while connected.</summary>
    public const string Shutdown = "subchannel shutdown";

    /// <summary>A94's value for a GOAWAY: <c>GOAWAY</c> and the HTTP/2 error's name.</summary>
    public static string GoAway(uint errorCode) => errorCode < (uint)Http2Errors.Length ? GoAwayNames[errorCode] : string.Create(CultureInfo.InvariantCulture, $"GOAWAY {errorCode}");

    /// <summary>A94's value for a connection that failed with <paramref name="exception"/>, by its socket error code.</summary>
    public static string DisconnectErrorOf(Exception exception)
    {
        return Transport.SocketErrors.Find(exception)?.SocketErrorCode switch
        {
            System.Net.Sockets.SocketError.ConnectionReset => "connection reset",
            System.Net.Sockets.SocketError.TimedOut => TimedOut,
            System.Net.Sockets.SocketError.ConnectionAborted => "connection aborted",
            not null => "socket error",
            null => exception is IOException ? "socket error" : Unknown,
        };
    }
}
