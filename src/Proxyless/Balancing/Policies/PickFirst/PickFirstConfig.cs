namespace Proxyless.Balancing.Policies.PickFirst;

/// <summary>
/// The config of <c>pick_first</c>: <c>{"pick_first":{"shuffleAddressList":true}}</c>.
/// </summary>
/// <param name="ShuffleAddressList">Shuffle the endpoints before trying them (spreads clients over servers, gRFC A62).</param>
public sealed record PickFirstConfig(bool ShuffleAddressList = false) : LoadBalancerConfig
{
    /// <summary>The Happy Eyeballs delay (RFC 8305, gRFC A61).</summary>
    public static readonly TimeSpan DefaultConnectionAttemptDelay = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// How long an attempt may run before the next address is tried in parallel (Happy Eyeballs); 250 ms by default.
    /// JSON field <c>connectionAttemptDelay</c> (a Proxyless extension, e.g. <c>"0.1s"</c>).
    /// </summary>
    public TimeSpan ConnectionAttemptDelay { get; init; } = DefaultConnectionAttemptDelay;

    /// <inheritdoc />
    public override string PolicyName => PickFirstLoadBalancerProvider.Name;
}
