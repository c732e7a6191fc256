using Proxyless.Configuration;

namespace Proxyless.Balancing.Policies.Subsetting;

/// <summary>The fields both subsetting policies share: a required positive <c>subsetSize</c> and <c>childPolicy</c>.</summary>
internal static class SubsettingConfigs
{
    public static int SubsetSize(ConfigObject config)
    {
        if (!config.TryGet("subsetSize", out _))
        {
            throw config.Error("subsetSize", "is required: how many endpoints this client connects to");
        }

        return config.GetInt32("subsetSize", 0, min: 1);
    }

    public static PolicySelection ChildPolicy(ConfigObject config, LoadBalancerRegistry registry)
        => config.TryGet("childPolicy", out var child)
            ? registry.SelectFirstRegistered(child, config.FieldPath("childPolicy"))
            : throw config.Error("childPolicy", "is required (e.g. [{\"round_robin\":{}}])");
}
