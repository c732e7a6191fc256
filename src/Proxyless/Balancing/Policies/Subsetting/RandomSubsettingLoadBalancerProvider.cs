using Proxyless.Configuration;

namespace Proxyless.Balancing.Policies.Subsetting;

/// <summary>
/// gRFC A68's random subsetting: each client connects to <c>subsetSize</c> endpoints chosen by rendezvous hashing with a
/// seed of its own (XXH64 of each endpoint's first address), so clients spread over the backends and adding or removing
/// one backend changes at most one member of a client's subset. Registered as <c>random_subsetting_experimental</c>
/// (gRPC's name) and <c>random_subsetting</c>.
/// </summary>
public sealed class RandomSubsettingLoadBalancerProvider : LoadBalancerProvider
{
    /// <summary>gRPC's name for the policy.</summary>
    public const string Name = "random_subsetting_experimental";

    /// <summary>The same policy under a name without the experimental suffix.</summary>
    public const string ShortName = "random_subsetting";

    /// <summary>Creates the provider under <see cref="Name"/> or <see cref="ShortName"/>.</summary>
    /// <param name="name">The name it registers under.</param>
    public RandomSubsettingLoadBalancerProvider(string name = Name)
    {
        if (name is not (Name or ShortName))
        {
            throw new ArgumentException($"Random subsetting registers as '{Name}' or '{ShortName}', not '{name}'.", nameof(name));
        }

        PolicyName = name;
    }

    /// <inheritdoc />
    public override string PolicyName { get; }

    /// <inheritdoc />
    public override LoadBalancerConfig ParseConfig(ConfigObject config, LoadBalancerRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        return new RandomSubsettingConfig
        {
            Name = PolicyName,
            SubsetSize = SubsettingConfigs.SubsetSize(config),
            ChildPolicy = ChildPolicies.Parse(config, registry),
        };
    }

    /// <inheritdoc />
    public override LoadBalancer Create(IChannelControlHelper helper)
    {
        var seed = System.Random.Shared.NextInt64(); // this client's own, for its lifetime (A68)
        return new SubsettingLoadBalancer(helper, state =>
        {
            var config = (RandomSubsettingConfig)state.Config;
            return (Subsets.Random(state.Endpoints, config.SubsetSize, seed), config.ChildPolicy);
        });
    }
}
