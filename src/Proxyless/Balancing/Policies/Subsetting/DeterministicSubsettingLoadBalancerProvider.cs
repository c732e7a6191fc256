using Proxyless.Configuration;

namespace Proxyless.Balancing.Policies.Subsetting;

/// <summary>
/// Deterministic subsetting (Google's SRE book, chapter 20): given its index among the clients, each client takes a
/// slice of a per-round shuffle of the endpoints, so connections per backend are even (max/mean close to 1) rather than
/// random. See <see cref="DeterministicSubsettingConfig"/>.
/// </summary>
public sealed class DeterministicSubsettingLoadBalancerProvider : LoadBalancerProvider
{
    /// <summary>The policy name.</summary>
    public const string Name = "deterministic_subsetting";

    /// <inheritdoc />
    public override string PolicyName => Name;

    /// <inheritdoc />
    public override LoadBalancerConfig ParseConfig(ConfigObject config, LoadBalancerRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        if (!config.TryGet("clientCount", out _))
        {
            throw config.Error("clientCount", "is required: how many clients share the endpoints");
        }

        var count = config.GetInt32("clientCount", 0, min: 1);
        if (!config.TryGet("clientIndex", out _))
        {
            throw config.Error("clientIndex", "is required: this client's index among clientCount clients, from 0");
        }

        return new DeterministicSubsettingConfig
        {
            SubsetSize = SubsettingConfigs.SubsetSize(config),
            ClientCount = count,
            ClientIndex = config.GetInt32("clientIndex", 0, min: 0, max: count - 1),
            ChildPolicy = ChildPolicies.Parse(config, registry),
        };
    }

    /// <inheritdoc />
    public override LoadBalancer Create(IChannelControlHelper helper) => new SubsettingLoadBalancer(helper, state =>
    {
        var config = (DeterministicSubsettingConfig)state.Config;
        return (Subsets.Deterministic(state.Endpoints, config.SubsetSize, config.ClientIndex), config.ChildPolicy);
    });
}
