using Proxyless.Resolution;

namespace Proxyless.Balancing;

/// <summary>
/// One endpoint's child policy inside <see cref="EndpointSharding"/>: its latest state and picker, which a parent
/// policy combines into its own picker.
/// </summary>
public sealed class EndpointChild
{
    internal EndpointChild(BackendEndpoint endpoint, string key)
    {
        Endpoint = endpoint;
        Key = key;
    }

    /// <summary>The endpoint this child balances within.</summary>
    public BackendEndpoint Endpoint { get; internal set; }

    /// <summary>The child's latest connectivity state.</summary>
    public ConnectivityState State { get; internal set; } = ConnectivityState.Connecting;

    /// <summary>The child's latest picker.</summary>
    public Picker Picker { get; internal set; } = Picker.Queue;

    internal string Key { get; }

    internal LoadBalancer? Balancer { get; set; }

    /// <summary>Asks the child to connect if it is idle (round_robin does this for every idle child).</summary>
    public void ExitIdle() => Balancer?.ExitIdle();

    /// <inheritdoc />
    public override string ToString() => $"{Endpoint}: {State}";
}
