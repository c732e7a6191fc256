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

    public static void AttemptSucceeded(string target) => AttemptsSucceeded.Add(1, new KeyValuePair<string, object?>("grpc.target", target));

    public static void AttemptFailed(string target) => AttemptsFailed.Add(1, new KeyValuePair<string, object?>("grpc.target", target));

    public static void ConnectionOpened(string target, bool tls) => OpenConnections.Add(1, new TagList { { "grpc.target", target }, { "grpc.security_level", SecurityLevel(tls) } });

    public static void ConnectionClosed(string target, bool tls) => OpenConnections.Add(-1, new TagList { { "grpc.target", target }, { "grpc.security_level", SecurityLevel(tls) } });

    // A94's optional grpc.security_level: TLS gives privacy and integrity; plaintext, none.
    private static string SecurityLevel(bool tls) => tls ? "privacy_and_integrity" : "none";

    public static void Disconnected(string target, string error)
        => Disconnections.Add(1, new TagList { { "grpc.target", target }, { "grpc.disconnect_error", error } });

    /// <summary>A94's <c>grpc.disconnect_error</c> value for why a connection ended, as the connection stream words it.</summary>
    public static string DisconnectError(string reason)
    {
        if (reason.StartsWith("the server sent GOAWAY", StringComparison.Ordinal))
        {
            var at = reason.LastIndexOf("HTTP/2 error ", StringComparison.Ordinal);
            var code = at < 0 ? 0 : int.TryParse(reason.AsSpan(at + "HTTP/2 error ".Length), NumberStyles.None, CultureInfo.InvariantCulture, out var c) ? c : -1;
            return code >= 0 && code < Http2Errors.Length ? $"GOAWAY {Http2Errors[code]}" : $"GOAWAY {code}";
        }

        return reason switch
        {
            _ when reason.Contains("keepalive", StringComparison.Ordinal) || reason.Contains("(TimedOut)", StringComparison.Ordinal) => "connection timed out",
            _ when reason.Contains("(ConnectionReset)", StringComparison.Ordinal) => "connection reset",
            _ when reason.Contains("(ConnectionAborted)", StringComparison.Ordinal) => "connection aborted",
            _ when reason.StartsWith("the connection broke:", StringComparison.Ordinal) || reason.StartsWith("writing to the connection failed:", StringComparison.Ordinal) => "socket error",
            _ => "unknown",
        };
    }
}
