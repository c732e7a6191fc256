namespace Proxyless.Balancing.Policies.Subsetting;

/// <summary>
/// The config of <c>deterministic_subsetting</c> (the algorithm of Google's SRE book, chapter 20):
/// <c>{"deterministic_subsetting":{"subsetSize":10,"clientIndex":3,"clientCount":200,"childPolicy":[{"round_robin":{}}]}}</c>.
/// Clients are grouped in rounds of <c>endpoints / subsetSize</c>; each round shuffles the endpoints with the round's
/// number as seed and gives each of its clients a different slice, so every endpoint gets the same number of clients.
/// </summary>
public sealed record DeterministicSubsettingConfig : LoadBalancerConfig
{
    /// <summary>How many endpoints the child policy gets (all when there are fewer).</summary>
    public required int SubsetSize { get; init; }

    /// <summary>This client's index, from 0 to <see cref="ClientCount"/> - 1 (a pod ordinal, an instance number).</summary>
    public required int ClientIndex { get; init; }

    /// <summary>How many clients share the endpoints (for diagnostics: the subset depends only on the index).</summary>
    public required int ClientCount { get; init; }

    /// <summary>The policy that balances over the subset.</summary>
    public required PolicySelection ChildPolicy { get; init; }

    /// <inheritdoc />
    public override string PolicyName => DeterministicSubsettingLoadBalancerProvider.Name;
}
