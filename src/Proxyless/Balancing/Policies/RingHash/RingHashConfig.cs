namespace Proxyless.Balancing.Policies.RingHash;

/// <summary>
/// The config of <c>ring_hash</c> (gRFC A42, A76), e.g.
/// <c>{"ring_hash":{"minRingSize":1024,"maxRingSize":4096,"requestHashHeader":"x-user-id"}}</c>.
/// </summary>
public sealed record RingHashConfig : LoadBalancerConfig
{
    /// <summary>The largest ring size allowed (gRFC A42).</summary>
    public const long RingSizeCap = 8 * 1024 * 1024;

    /// <summary>Fewest ring entries; default 1024.</summary>
    public long MinRingSize { get; init; } = 1024;

    /// <summary>Most ring entries; default 4096 (gRPC's default cap).</summary>
    public long MaxRingSize { get; init; } = 4096;

    /// <summary>The request header whose value is hashed to choose the endpoint (gRFC A76); calls without it get a random hash.</summary>
    public string RequestHashHeader { get; init; } = "";

    /// <inheritdoc />
    public override string PolicyName => RingHashLoadBalancerProvider.Name;
}
