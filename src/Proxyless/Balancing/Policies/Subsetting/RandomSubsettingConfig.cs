namespace Proxyless.Balancing.Policies.Subsetting;

/// <summary>
/// The config of <c>random_subsetting_experimental</c> (gRFC A68; also registered as <c>random_subsetting</c>):
/// <c>{"random_subsetting_experimental":{"subsetSize":10,"childPolicy":[{"round_robin":{}}]}}</c>.
/// </summary>
public sealed record RandomSubsettingConfig : LoadBalancerConfig
{
    /// <summary>How many endpoints the child policy gets (all when there are fewer).</summary>
    public required int SubsetSize { get; init; }

    /// <summary>The policy that balances over the subset.</summary>
    public required PolicySelection ChildPolicy { get; init; }

    /// <summary>The name the config was given under.</summary>
    public required string Name { get; init; }

    /// <inheritdoc />
    public override string PolicyName => Name;
}
