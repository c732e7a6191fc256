using System.Collections.Concurrent;

namespace Proxyless.Transport;

/// <summary>
/// The first handler of a subchannel's pipeline, which decides the URI and Host header of every request the subchannel
/// sends (calls, health checks, connection triggers), the same for all of them so SocketsHttpHandler keeps them in one
/// connection pool. By default requests keep the channel's URI, and the Host header is set only for an address with
/// its own TLS name (it gives HTTP/2's <c>:authority</c> and the TLS server name). With
/// <see cref="ConnectionOptions.RequestUriNamesBackend"/>, requests go to the backend's own address,
/// <c>scheme://address:port/path</c>, with the call's authority in the Host header: HttpClient's span and metrics
/// (<c>url.full</c>, <c>server.port</c>) then name the backend that served the request, as grpc-dotnet's own balancer
/// does, while the server sees the same authority. It is not the default because .NET's handling of a Host header
/// costs about 300 bytes and 1 µs per call.
/// </summary>
internal sealed class BackendUriHandler : DelegatingHandler
{
    private const int CacheLimit = 1000; // request URIs remembered (grpc-dotnet makes one per method and reuses it)
    private readonly Uri? _backend; // null: requests keep the channel's URI
    private readonly string? _authority; // the Host header; null: none (the URI's authority is the call's)
    private readonly ConcurrentDictionary<Uri, Uri> _uris = new(ReferenceEqualityComparer.Instance);

    /// <param name="inner">The subchannel's SocketsHttpHandler.</param>
    /// <param name="backend">The backend's base URI (<see cref="BaseFor"/>), or null to keep the channel's.</param>
    /// <param name="authority">The Host header, or null to send none.</param>
    public BackendUriHandler(HttpMessageHandler inner, Uri? backend, string? authority)
        : base(inner)
    {
        _backend = backend;
        _authority = authority;
    }

    /// <summary>The base URI of requests to <paramref name="address"/> (its scheme from the channel's).</summary>
    public static Uri BaseFor(Resolution.BackendAddress address, Uri channelBase) => address.EndPoint switch
    {
        System.Net.IPEndPoint ip => new UriBuilder(channelBase.Scheme, ip.Address.ToString(), ip.Port).Uri,
        System.Net.DnsEndPoint dns => new UriBuilder(channelBase.Scheme, dns.Host, dns.Port).Uri,
        _ => channelBase,
    };

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.Headers.Host = _authority; // every time: a request picked again may carry another subchannel's
        if (_backend is not null && request.RequestUri is { } uri)
        {
            request.RequestUri = Map(_backend, uri);
        }

        return base.SendAsync(request, cancellationToken);
    }

    private Uri Map(Uri backend, Uri uri)
    {
        if (_uris.TryGetValue(uri, out var mapped))
        {
            return mapped;
        }

        mapped = new Uri(backend, uri.PathAndQuery);
        if (_uris.Count < CacheLimit)
        {
            _uris.TryAdd(uri, mapped);
            _uris.TryAdd(mapped, mapped); // the same request sent here again (a transparent retry)
        }

        return mapped;
    }
}
