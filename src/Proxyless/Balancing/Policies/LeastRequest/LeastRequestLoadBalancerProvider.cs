using Proxyless.Configuration;

namespace Proxyless.Balancing.Policies.LeastRequest;

/// <summary>
/// The <c>least_request</c> policy (gRFC A48): for each call, <c>choiceCount</c> READY endpoints are drawn at random
/// (with replacement) and the one with the fewest calls in flight wins. A call counts from its start to its true end,
/// so a stream counts until it finishes, not only until its first response.
/// </summary>
public sealed class LeastRequestLoadBalancerProvider : LoadBalancerProvider
{
    /// <summary>The policy name.</summary>
    public const string Name = "least_request";

    /// <inheritdoc />
    public override string PolicyName => Name;

    /// <inheritdoc />
    public override LoadBalancerConfig ParseConfig(ConfigObject config, LoadBalancerRegistry registry)
        => new LeastRequestConfig(Math.Min(config.GetInt32("choiceCount", new LeastRequestConfig().ChoiceCount, min: 2), LeastRequestConfig.MaxChoiceCount));

    /// <inheritdoc />
    public override LoadBalancer Create(IChannelControlHelper helper) => new LeastRequestLoadBalancer(helper);
}
