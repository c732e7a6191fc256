using Proxyless.Resolution;

namespace Proxyless.Balancing;

/// <summary>
/// A subchannel that wraps another, for policies that sit between a child policy and the channel (outlier detection
/// ejects by overriding the state the child sees). Picks may return the wrapper: the channel sends the call on the
/// innermost subchannel.
/// </summary>
/// <param name="inner">The wrapped subchannel.</param>
public abstract class DelegatingSubchannel(Subchannel inner) : Subchannel
{
    /// <summary>The wrapped subchannel.</summary>
    public Subchannel Inner { get; } = inner ?? throw new ArgumentNullException(nameof(inner));

    /// <inheritdoc />
    public override BackendAddress Address => Inner.Address;

    /// <inheritdoc />
    public override SubchannelState State => Inner.State;

    /// <inheritdoc />
    public override void RequestConnection() => Inner.RequestConnection();

    /// <inheritdoc />
    public override void Shutdown() => Inner.Shutdown();
}
