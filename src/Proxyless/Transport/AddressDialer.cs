using System.Net;
using System.Net.Sockets;

namespace Proxyless.Transport;

/// <summary>
/// Opens the TCP (or Unix domain socket) connection to one backend address, or runs the user's
/// <see cref="ConnectionOptions.ConnectFunction"/>, and says why a connection failed in words that name the real cause.
/// </summary>
internal static class AddressDialer
{
    /// <summary>Dials the address; the stream owns the socket.</summary>
    public static async ValueTask<Stream> DialAsync(Resolution.BackendAddress address, ConnectionOptions options, CancellationToken cancellationToken)
    {
        if (options.ConnectFunction is { } custom)
        {
            return await custom(address, cancellationToken).ConfigureAwait(false);
        }

        var endPoint = address.EndPoint;
        var socket = endPoint is UnixDomainSocketEndPoint
            ? new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified)
            : new Socket(endPoint is DnsEndPoint ? AddressFamily.InterNetworkV6 : endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            if (endPoint is DnsEndPoint)
            {
                socket.DualMode = true;
            }

            await socket.ConnectAsync(endPoint, cancellationToken).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Why a connection failed, from the innermost socket error (not the request URI's logical host).</summary>
    public static string Describe(Exception ex)
    {
        // The innermost socket error says what happened ("Connection refused"); HttpRequestException's own text
        // names the request URI's host, which is the logical service name, not this address.
        if (SocketErrors.Find(ex) is { } socket)
        {
            return SocketErrors.Describe(socket);
        }

        var inner = ex;
        while (inner.InnerException is not null)
        {
            inner = inner.InnerException;
        }

        return inner.Message;
    }
}
