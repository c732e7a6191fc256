namespace Proxyless.Calls;

/// <summary>
/// A retry policy that a policy above the transport chose for one request at pick time (xDS routes, gRFC A44), carried
/// on the request's options. The balancing handler retries a trailers-only response whose status it lists, while the
/// request body is still kept, with gRPC's backoff: a random delay up to the current backoff, which doubles up to the
/// maximum. grpc-dotnet's own retry policies are fixed per method when the channel is created, so they cannot do this.
/// </summary>
/// <param name="RetryOn">The statuses retried.</param>
/// <param name="MaxAttempts">Attempts in all, the first included (at most 5, as in gRPC).</param>
/// <param name="InitialBackoff">The first backoff.</param>
/// <param name="MaxBackoff">The largest backoff.</param>
internal sealed record RouteRetryPolicy(IReadOnlySet<StatusCode> RetryOn, int MaxAttempts, TimeSpan InitialBackoff, TimeSpan MaxBackoff)
{
    /// <summary>The option the policy travels in.</summary>
    public static readonly HttpRequestOptionsKey<RouteRetryPolicy> Key = new("proxyless.route_retry_policy");

    private static volatile bool _inUse;

    /// <summary>
    /// True once any request may carry a policy; until then the handler's hot path does not look at request options
    /// (reading them allocates).
    /// </summary>
    public static bool InUse
    {
        get => _inUse;
        set => _inUse |= value;
    }

    /// <summary>The policy on <paramref name="request"/>, if any.</summary>
    public static RouteRetryPolicy? Of(HttpRequestMessage request)
        => InUse && request.Options.TryGetValue(Key, out var policy) ? policy : null;
}
