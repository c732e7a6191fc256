using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Grpc.Core;

namespace Proxyless.Calls;

/// <summary>Builds the trailers-only gRPC response the handler returns when a call fails before reaching a backend.</summary>
internal static class GrpcStatusResponse
{
    private static readonly MediaTypeHeaderValue GrpcContentType = new("application/grpc");

    /// <param name="request">The request.</param>
    /// <param name="status">The status to report.</param>
    /// <param name="doNotRetry">Adds <c>grpc-retry-pushback-ms: -1</c>, which tells gRPC's retry logic not to retry (gRFC A6).</param>
    public static HttpResponseMessage Create(HttpRequestMessage request, Status status, bool doNotRetry)
    {
        var response = new HttpResponseMessage(HttpStatusCode.OK)
        {
            RequestMessage = request,
            Version = HttpVersion.Version20,
            Content = new ByteArrayContent([]),
        };
        response.Content.Headers.ContentType = GrpcContentType;
        response.Headers.TryAddWithoutValidation("grpc-status", ((int)status.StatusCode).ToString(CultureInfo.InvariantCulture));
        response.Headers.TryAddWithoutValidation("grpc-message", PercentEncode(status.Detail));
        if (doNotRetry)
        {
            response.Headers.TryAddWithoutValidation("grpc-retry-pushback-ms", "-1");
        }

        return response;
    }

    /// <summary>Percent-encodes a grpc-message value as the gRPC HTTP/2 protocol requires.</summary>
    internal static string PercentEncode(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            if (b is >= 0x20 and <= 0x7E && b != (byte)'%')
            {
                builder.Append((char)b);
            }
            else
            {
                builder.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }

        return builder.ToString();
    }
}
