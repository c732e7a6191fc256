using Proxyless.Configuration;

namespace Proxyless.Balancing.Policies;

/// <summary>The required <c>childPolicy</c> field of the delegating policies (outlier detection, subsetting).</summary>
internal static class ChildPolicies
{
    /// <summary>The first registered policy of the list in <c>childPolicy</c>; an error naming the field when absent.</summary>
    public static PolicySelection Parse(ConfigObject config, LoadBalancerRegistry registry)
        => config.TryGet("childPolicy", out var child)
            ? registry.SelectFirstRegistered(child, config.FieldPath("childPolicy"))
            : throw config.Error("childPolicy", "is required (e.g. [{\"round_robin\":{}}])");
}
