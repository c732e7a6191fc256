namespace Proxyless.Balancing.Policies.Random;

/// <summary>The config of <c>random</c> (no fields): <c>{"random":{}}</c>.</summary>
public sealed record RandomConfig : LoadBalancerConfig
{
    /// <inheritdoc />
    public override string PolicyName => RandomLoadBalancerProvider.Name;
}
