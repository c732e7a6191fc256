namespace Proxyless.Balancing.Policies.PickFirst;

/// <summary>The config of <c>pick_first</c>: <c>{"pick_first":{"shuffleAddressList":true}}</c>.</summary>
/// <param name="ShuffleAddressList">Shuffle the endpoints before trying them (spreads clients over servers, gRFC A62).</param>
public sealed record PickFirstConfig(bool ShuffleAddressList = false) : LoadBalancerConfig
{
    /// <inheritdoc />
    public override string PolicyName => PickFirstLoadBalancerProvider.Name;
}
