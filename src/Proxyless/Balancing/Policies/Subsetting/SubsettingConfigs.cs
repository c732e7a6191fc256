using Proxyless.Configuration;

namespace Proxyless.Balancing.Policies.Subsetting;

/// <summary>The field both subsetting policies share: a required positive <c>subsetSize</c>.</summary>
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
}
