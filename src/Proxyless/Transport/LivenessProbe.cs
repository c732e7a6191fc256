using System.Net;
using System.Net.Http.Headers;

namespace Proxyless.Transport;

/// <summary>
/// Proves a server answers on HTTP/2, not just that TCP was accepted (a frozen process still accepts): sends
/// <c>grpc.health.v1.Health/Check</c> with an empty request. Any HTTP/2 response counts, even UNIMPLEMENTED.
/// </summary>
internal static class LivenessProbe
{
    private static readonly byte[] EmptyGrpcMessage = new byte[5];
    private static readonly MediaTypeHeaderValue GrpcContentType = new("application/grpc");

    public static async Task ProbeAsync(HttpMessageInvoker invoker, Uri baseUri, string? authority, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(baseUri, "/grpc.health.v1.Health/Check"))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(EmptyGrpcMessage),
        };
        request.Content.Headers.ContentType = GrpcContentType;
        request.Headers.TE.ParseAdd("trailers");
        if (authority is not null)
        {
            request.Headers.Host = authority;
        }
        using var response = await invoker.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.Version != HttpVersion.Version20)
        {
            throw new HttpRequestException($"the server answered with HTTP/{response.Version}, not HTTP/2");
        }

        // Drain the small body so the stream ends cleanly instead of being reset.
        await response.Content.CopyToAsync(Stream.Null, cancellationToken).ConfigureAwait(false);
    }
}
