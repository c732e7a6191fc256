using System.Net.Sockets;

namespace Proxyless.Transport;

/// <summary>
/// The socket error inside a failure: HttpRequestException and IOException wrap it, and only it says what happened on
/// the wire (refused, reset, timed out), for error messages and A94's <c>grpc.disconnect_error</c> alike.
/// </summary>
internal static class SocketErrors
{
    /// <summary>The first <see cref="SocketException"/> in the chain of inner exceptions, or null.</summary>
    public static SocketException? Find(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is SocketException socket)
            {
                return socket;
            }
        }

        return null;
    }

    /// <summary>The socket error in words, with its code: <c>Connection refused (ConnectionRefused)</c>.</summary>
    public static string Describe(SocketException socket) => $"{socket.Message} ({socket.SocketErrorCode})";
}
