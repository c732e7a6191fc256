namespace Proxyless.Balancing;

/// <summary>What a picker may look at for one call attempt: the method and the request headers.</summary>
public readonly struct PickContext
{
    /// <summary>Creates a context for a request.</summary>
    /// <param name="request">The HTTP/2 request of the call attempt.</param>
    public PickContext(HttpRequestMessage request) => Request = request;

    /// <summary>The HTTP/2 request of the call attempt (headers are the call's metadata).</summary>
    public HttpRequestMessage Request { get; }

    /// <summary>The full method path, e.g. <c>/grpc.examples.echo.Echo/UnaryEcho</c>.</summary>
    public string Method => Request?.RequestUri?.AbsolutePath ?? "";

    /// <summary>Returns the first value of a request header (call metadata), or null.</summary>
    /// <param name="name">The header name, lower-case.</param>
    public string? GetHeader(string name)
    {
        if (Request is not null && Request.Headers.NonValidated.TryGetValues(name, out var values))
        {
            foreach (var value in values)
            {
                return value;
            }
        }

        return null;
    }
}
