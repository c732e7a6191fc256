using Proxyless.Resolution;

namespace Proxyless.Balancing;

/// <summary>
/// A connection to one backend address, created by a policy through <see cref="IChannelControlHelper.CreateSubchannel"/>.
/// It connects only when asked (<see cref="RequestConnection"/>), reports every state change to the listener given at
/// creation (on the channel's serializer), and goes back to <see cref="ConnectivityState.Idle"/> when its connection is lost.
/// </summary>
public abstract class Subchannel
{
    /// <summary>The address this subchannel connects to.</summary>
    public abstract BackendAddress Address { get; }

    /// <summary>The current state (may be newer than the last notification delivered).</summary>
    public abstract SubchannelState State { get; }

    /// <summary>Starts connecting if the subchannel is idle; otherwise does nothing.</summary>
    public abstract void RequestConnection();

    /// <summary>Closes the subchannel for good; calls in flight finish, new calls are not accepted.</summary>
    public abstract void Shutdown();

    /// <inheritdoc />
    public override string ToString() => $"Subchannel({Address}, {State})";
}
