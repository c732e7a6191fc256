using Proxyless.Configuration;

namespace Proxyless.Balancing.Policies.RingHash;

/// <summary>
/// The <c>ring_hash</c> policy (gRFC A42, A76): consistent hashing. Endpoints are placed on a ring by the xxHash64 of
/// their address (as many entries as their weight share asks), and a call goes to the first endpoint at or after the
/// hash of its <c>requestHashHeader</c> value, so a key keeps its endpoint and removing one of N endpoints moves only
/// about 1/N of the keys.
/// </summary>
public sealed class RingHashLoadBalancerProvider : LoadBalancerProvider
{
    /// <summary>The policy name.</summary>
    public const string Name = "ring_hash";

    /// <inheritdoc />
    public override string PolicyName => Name;

    /// <inheritdoc />
    public override LoadBalancerConfig ParseConfig(ConfigObject config, LoadBalancerRegistry registry)
    {
        var defaults = new RingHashConfig();
        var min = config.GetInt64("minRingSize", defaults.MinRingSize, 1, RingHashConfig.RingSizeCap);
        var max = config.GetInt64("maxRingSize", defaults.MaxRingSize, 1, RingHashConfig.RingSizeCap);
        if (min > max)
        {
            throw config.Error("minRingSize", $"{min} is larger than maxRingSize {max}");
        }

        var header = config.GetString("requestHashHeader") ?? "";
        if (header.EndsWith("-bin", StringComparison.OrdinalIgnoreCase) || header.StartsWith(':'))
        {
            throw config.Error("requestHashHeader", $"'{header}' cannot be hashed: binary and pseudo-headers are not allowed");
        }

        return defaults with { MinRingSize = min, MaxRingSize = max, RequestHashHeader = header.ToLowerInvariant() };
    }

    /// <inheritdoc />
    public override LoadBalancer Create(IChannelControlHelper helper) => new RingHashLoadBalancer(helper);
}
