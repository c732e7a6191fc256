using Microsoft.Extensions.Logging;
using Proxyless.Resolution;

namespace Proxyless.Balancing;

/// <summary>
/// What the channel offers a load-balancing policy. Call it only from the policy's own callbacks
/// (which run on the channel's serializer) or through <see cref="Schedule"/>.
/// </summary>
public interface IChannelControlHelper
{
    /// <summary>Creates a subchannel for one address; it stays idle until <see cref="Subchannel.RequestConnection"/>.</summary>
    /// <param name="address">The address.</param>
    /// <param name="onStateChanged">Told of every state change, on the serializer, until the subchannel is shut down.</param>
    /// <param name="options">Options such as health checking; none when null.</param>
    Subchannel CreateSubchannel(BackendAddress address, Action<SubchannelState> onStateChanged, SubchannelOptions? options = null);

    /// <summary>Publishes the policy's aggregate state and the picker for new calls.</summary>
    /// <param name="state">The aggregate connectivity state.</param>
    /// <param name="picker">The picker for calls from now on.</param>
    void UpdateState(ConnectivityState state, Picker picker);

    /// <summary>Asks the resolver for a fresh resolution (it may rate-limit).</summary>
    void RefreshResolver();

    /// <summary>Runs <paramref name="action"/> on the serializer, after the current callback.</summary>
    /// <param name="action">The work.</param>
    void Schedule(Action action);

    /// <summary>Runs <paramref name="action"/> on the serializer after <paramref name="delay"/>; dispose the timer to cancel.</summary>
    /// <param name="delay">The delay.</param>
    /// <param name="action">The work.</param>
    IDisposable ScheduleDelayed(TimeSpan delay, Action action);

    /// <summary>The channel's clock.</summary>
    TimeProvider TimeProvider { get; }

    /// <summary>The channel's logging.</summary>
    ILoggerFactory LoggerFactory { get; }

    /// <summary>The <c>:authority</c> calls carry (the logical service name).</summary>
    string Authority { get; }

    /// <summary>
    /// The channel's target with its scheme (<c>dns:///host:port</c>), the <c>grpc.target</c> label of the metrics a
    /// policy records. A helper that wraps another should return the wrapped helper's.
    /// </summary>
    string Target => Authority;
}
