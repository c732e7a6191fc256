using System.Net.Http;
using Proxyless.Configuration;
using Proxyless.Resolution;

namespace Proxyless.Transport;

/// <summary>How subchannels connect: backoff, connect timeout, HTTP/2 keepalive, and an optional custom connect function.</summary>
public sealed class ConnectionOptions
{
    /// <summary>Connection backoff and minimum connect timeout (gRPC defaults).</summary>
    public BackoffOptions Backoff { get; set; } = new();

    /// <summary>
    /// Time without traffic after which an HTTP/2 PING is sent; <see cref="Timeout.InfiniteTimeSpan"/> (the default) turns
    /// keepalive off. A frozen server still accepts TCP; only keepalive notices it on an idle connection.
    /// </summary>
    public TimeSpan KeepAlivePingDelay { get; set; } = Timeout.InfiniteTimeSpan;

    /// <summary>How long to wait for a PING reply before the connection is considered dead.</summary>
    public TimeSpan KeepAlivePingTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Whether keepalive PINGs are sent also while no call is in flight.</summary>
    public bool KeepAliveWithoutCalls { get; set; } = true;

    /// <summary>
    /// Replaces the socket connect step (for in-memory transports, tunnels, or tests that inject slow connects).
    /// It returns the connected stream for the address; TLS, if any, is layered on top by the subchannel.
    /// </summary>
    public Func<BackendAddress, CancellationToken, ValueTask<Stream>>? ConnectFunction { get; set; }

    /// <summary>
    /// Whether each subchannel sends its requests to its backend's own address (<c>http://10.0.0.5:50051/pkg.Service/Method</c>)
    /// with the call's authority in the Host header, so HttpClient's trace span (<c>url.full</c>, <c>server.port</c>) and
    /// .NET's HTTP metrics name the backend that served each request. The server sees the same <c>:authority</c> and TLS
    /// name either way. Off by default: .NET's handling of a Host header costs about 300 bytes and 1 µs per call. The
    /// gRPC call's own span names the backend without it.
    /// </summary>
    public bool RequestUriNamesBackend { get; set; }

    /// <summary>A last chance to adjust each subchannel's <see cref="SocketsHttpHandler"/> (e.g. TLS options).</summary>
    public Action<BackendAddress, SocketsHttpHandler>? ConfigureHandler { get; set; }

    internal void Validate()
    {
        Backoff.Validate();
        if (KeepAlivePingDelay != Timeout.InfiniteTimeSpan && KeepAlivePingDelay <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(KeepAlivePingDelay), KeepAlivePingDelay, "must be positive or Timeout.InfiniteTimeSpan");
        }

        if (KeepAlivePingTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(KeepAlivePingTimeout), KeepAlivePingTimeout, "must be positive");
        }
    }
}
