namespace Proxyless.Balancing.Policies.P2cEwma;

/// <summary>
/// The config of <c>p2c_ewma</c>:
/// <c>{"p2c_ewma":{"choiceCount":2,"decayTime":"1s","defaultRtt":"30ms","latencyExponent":3,"errorPenalty":"1s","probeInterval":"1s"}}</c>,
/// or <c>"peak":true</c> for Linkerd's peak EWMA (with <c>latencyExponent</c> 1 and <c>decayTime</c> 10s, as Linkerd has).
/// </summary>
/// <param name="ChoiceCount">Distinct random READY endpoints compared per pick (2 to 10).</param>
/// <param name="DecayTime">The EWMA's time constant: a sample's weight is <c>1 - exp(-Δt / decayTime)</c>, Δt being the
/// time since the endpoint's previous sample.</param>
/// <param name="DefaultRtt">The estimate of an endpoint with no sample yet.</param>
/// <param name="LatencyExponent">k in cost = estimate^k x (calls in flight + 1).</param>
/// <param name="ErrorPenalty">A failed call counts as at least this long, so a backend that fails fast does not attract
/// calls.</param>
/// <param name="ProbeInterval">An endpoint not picked for this long gets one call, so a recovered backend is noticed.</param>
/// <param name="Peak">Linkerd's peak EWMA: a sample above the estimate replaces it at once.</param>
public sealed record P2cEwmaConfig(
    int ChoiceCount = 2,
    TimeSpan DecayTime = default,
    TimeSpan DefaultRtt = default,
    double LatencyExponent = 3,
    TimeSpan ErrorPenalty = default,
    TimeSpan ProbeInterval = default,
    bool Peak = false) : LoadBalancerConfig
{
    /// <summary>The defaults: decay 1 s, default RTT 30 ms, error penalty 1 s, probe interval 1 s.</summary>
    public static P2cEwmaConfig Default { get; } = new(2, TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(30), 3, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));

    /// <inheritdoc />
    public override string PolicyName => P2cEwmaLoadBalancerProvider.Name;
}
