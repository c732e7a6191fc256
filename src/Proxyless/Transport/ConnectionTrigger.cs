using System.Net;

namespace Proxyless.Transport;

/// <summary>
/// Makes SocketsHttpHandler open an HTTP/2 connection without sending anything on it. SocketsHttpHandler connects
/// only for a request, so the subchannel sends this one and cancels it as soon as its plaintext filter sees the new
/// connection, before the connection can be handed to any request; SocketsHttpHandler then keeps the connection for
/// the calls that follow. The request goes out only if the pool already had a usable connection, which the subchannel
/// rules out before it triggers.
/// </summary>
internal static class ConnectionTrigger
{
    /// <summary>Sends the trigger; returns true if it was answered (that is, it was sent on an existing connection).</summary>
    public static async Task<bool> SendAsync(HttpMessageInvoker invoker, Uri baseUri, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, baseUri)
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };

        using var response = await invoker.SendAsync(request, cancellationToken).ConfigureAwait(false);
        return true;
    }
}
