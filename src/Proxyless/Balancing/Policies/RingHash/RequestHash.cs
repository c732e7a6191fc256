namespace Proxyless.Balancing.Policies.RingHash;

/// <summary>
/// A request's hash for ring_hash, set by a policy above it (xds_cluster_manager computes it from the route's hash
/// policies, gRFC A42) on the request's options; ring_hash uses it before its own <c>requestHashHeader</c>.
/// </summary>
internal static class RequestHash
{
    /// <summary>The option the hash travels in.</summary>
    public static readonly HttpRequestOptionsKey<ulong> Key = new("proxyless.request_hash");
}
