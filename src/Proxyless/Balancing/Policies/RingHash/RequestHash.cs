namespace Proxyless.Balancing.Policies.RingHash;

/// <summary>
/// A request's hash for ring_hash, set by a policy above it (xds_cluster_manager computes it from the route's hash
/// policies, gRFC A42) on the request's options; ring_hash uses it before its own <c>requestHashHeader</c>.
/// </summary>
internal static class RequestHash
{
    /// <summary>The option the hash travels in.</summary>
    public static readonly HttpRequestOptionsKey<ulong> Key = new("proxyless.request_hash");

    private static volatile bool _inUse;

    /// <summary>
    /// True once any request may carry a hash; until then ring_hash does not look at request options (reading them
    /// allocates on every pick).
    /// </summary>
    public static bool InUse
    {
        get => _inUse;
        set => _inUse |= value;
    }

    /// <summary>The hash set on <paramref name="request"/>, if any.</summary>
    public static bool TryGet(HttpRequestMessage? request, out ulong hash)
    {
        hash = 0;
        return InUse && request is not null && request.Options.TryGetValue(Key, out hash);
    }
}
