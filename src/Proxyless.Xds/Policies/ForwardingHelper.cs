using Microsoft.Extensions.Logging;
using Proxyless.Balancing;
using Proxyless.Resolution;

namespace Proxyless.Xds.Policies;

/// <summary>A helper that passes everything to its parent's helper; subclasses change what they need.</summary>
internal class ForwardingHelper(IChannelControlHelper parent) : IChannelControlHelper
{
    protected IChannelControlHelper Parent { get; } = parent;

    public TimeProvider TimeProvider => Parent.TimeProvider;

    public ILoggerFactory LoggerFactory => Parent.LoggerFactory;

    public string Authority => Parent.Authority;

    public string Target => Parent.Target;

    public virtual Subchannel CreateSubchannel(BackendAddress address, Action<SubchannelState> onStateChanged, SubchannelOptions? options = null)
        => Parent.CreateSubchannel(address, onStateChanged, options);

    public virtual void UpdateState(ConnectivityState state, Picker picker) => Parent.UpdateState(state, picker);

    public virtual void RefreshResolver() => Parent.RefreshResolver();

    public void Schedule(Action action) => Parent.Schedule(action);

    public IDisposable ScheduleDelayed(TimeSpan delay, Action action) => Parent.ScheduleDelayed(delay, action);
}
