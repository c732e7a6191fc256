namespace Proxyless.Balancing.Policies.LeastRequest;

/// <summary>The config of <c>least_request</c> (gRFC A48): <c>{"least_request":{"choiceCount":2}}</c>.</summary>
/// <param name="ChoiceCount">How many random READY endpoints are compared per pick (2 to 10; larger values are capped at 10).</param>
public sealed record LeastRequestConfig(int ChoiceCount = 2) : LoadBalancerConfig
{
    /// <summary>The largest choice count; larger configured values are lowered to it (gRFC A48).</summary>
    internal const int MaxChoiceCount = 10;

    /// <inheritdoc />
    public override string PolicyName => LeastRequestLoadBalancerProvider.Name;
}
