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

    /// <summary>The child's policy: null while it waits for its start batch, and after it was removed.</summary>
    internal LoadBalancer? Balancer { get; set; }

    /// <summary>The latest update that listed the child's endpoint.</summary>
    internal int Generation { get; set; }

    /// <summary>Started, and its first connection attempt has not answered yet (it holds a place in the start window).</summary>
    internal bool FirstAttempt { get; set; }

    /// <summary>Whether an update (or disposal) removed the child.</summary>
    internal bool Removed { get; set; }

    /// <summary>Asks the child to connect if it is idle (round_robin does this for every idle child).</summary>
    public void ExitIdle() => Balancer?.ExitIdle();

    /// <inheritdoc />
    public override string ToString() => $"{Endpoint}: {State}";
}
