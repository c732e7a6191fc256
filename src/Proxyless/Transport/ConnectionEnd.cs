namespace Proxyless.Transport;

/// <summary>
/// Why a connection ended or stopped taking calls: the text for errors and logs, and gRFC A94's
/// <c>grpc.disconnect_error</c> value, decided where the cause is known (a GOAWAY's error code, a socket error's code).
/// </summary>
/// <param name="Reason">What happened, for people (<c>the server sent GOAWAY</c>).</param>
/// <param name="DisconnectError">A94's value: <c>GOAWAY NO_ERROR</c>, <c>connection reset</c>, <c>connection timed out</c>,
/// <c>connection aborted</c>, <c>socket error</c>, <c>subchannel shutdown</c> or <c>unknown</c>.</param>
internal readonly record struct ConnectionEnd(string Reason, string DisconnectError);
