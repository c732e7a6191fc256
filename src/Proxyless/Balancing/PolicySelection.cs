namespace Proxyless.Balancing;

/// <summary>A chosen policy: its provider and its parsed config.</summary>
/// <param name="Provider">The provider that creates the policy.</param>
/// <param name="Config">The parsed config handed to the policy with every update.</param>
public sealed record PolicySelection(LoadBalancerProvider Provider, LoadBalancerConfig Config)
{
    /// <summary>The policy name as registered.</summary>
    public string PolicyName => Provider.PolicyName;

    /// <summary>Fields of the chosen policy's config (and its children's) that no parser read; the channel logs each.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];
}
