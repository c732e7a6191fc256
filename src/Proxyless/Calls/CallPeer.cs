using Grpc.Core;

// Public API: kept in the root namespace users already import, though it lives with the call machinery.
namespace Proxyless;

/// <summary>
/// Which backend address served a call, like grpc-go's <c>grpc.Peer</c> call option. The balanced channel adds the
/// address to every response's headers as <see cref="HeaderName"/>; read it from <c>call.ResponseHeadersAsync</c>
/// (or from the trailers of a failed call).
/// </summary>
public static class CallPeer
{
    /// <summary>The response header that carries the serving address, e.g. <c>127.0.0.1:50051</c> or <c>[::1]:50051</c>.</summary>
    public const string HeaderName = "proxyless-peer";

    /// <summary>Returns the serving address recorded in response headers or trailers, or null when absent.</summary>
    /// <param name="metadata">The response headers (or trailers).</param>
    public static string? GetPeer(this Metadata metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        return metadata.GetValue(HeaderName);
    }
}
