using System.Collections.Concurrent;
using Proxyless.Balancing;
using Proxyless.Balancing.Policies.RoundRobin;
using Proxyless.Configuration;
using Proxyless.Resolution;
using Microsoft.Extensions.Logging;

namespace Proxyless.Tests.Support;

/// <summary>Counts call starts and ends seen through the public call-tracker API.</summary>
internal sealed class CountingTracker : ICallTracker
{
    private int _started;
    private int _ended;
    private int _inFlight;

    public int Started => Volatile.Read(ref _started);

    public int Ended => Volatile.Read(ref _ended);

    public int InFlight => Volatile.Read(ref _inFlight);

    public ConcurrentQueue<CallCompletion> Completions { get; } = new();

    public void OnCallStarted()
    {
        Interlocked.Increment(ref _started);
        Interlocked.Increment(ref _inFlight);
    }

    public void OnCallEnded(in CallCompletion completion)
    {
        Completions.Enqueue(completion);
        Interlocked.Increment(ref _ended);
        Interlocked.Decrement(ref _inFlight);
    }
}

/// <summary>
/// A user-style policy, <c>tracking_round_robin</c>: round_robin whose picks carry a shared <see cref="CountingTracker"/>.
/// Written only against the public extension API.
/// </summary>
internal sealed class TrackingPolicyProvider(CountingTracker tracker) : LoadBalancerProvider
{
    public override string PolicyName => "tracking_round_robin";

    public override LoadBalancerConfig ParseConfig(ConfigObject config, LoadBalancerRegistry registry) => new RoundRobinConfig();

    public override LoadBalancer Create(IChannelControlHelper helper)
        => new RoundRobinLoadBalancerProvider().Create(new Helper(helper, tracker));

    private sealed class Helper(IChannelControlHelper inner, CountingTracker tracker) : IChannelControlHelper
    {
        public TimeProvider TimeProvider => inner.TimeProvider;

        public ILoggerFactory LoggerFactory => inner.LoggerFactory;

        public string Authority => inner.Authority;

        public Subchannel CreateSubchannel(BackendAddress address, Action<SubchannelState> onStateChanged, SubchannelOptions? options = null) => inner.CreateSubchannel(address, onStateChanged, options);

        public void UpdateState(ConnectivityState state, Picker picker) => inner.UpdateState(state, new TrackingPicker(picker, tracker));

        public void RefreshResolver() => inner.RefreshResolver();

        public void Schedule(Action action) => inner.Schedule(action);

        public IDisposable ScheduleDelayed(TimeSpan delay, Action action) => inner.ScheduleDelayed(delay, action);
    }

    private sealed class TrackingPicker(Picker inner, CountingTracker tracker) : Picker
    {
        public override PickResult Pick(in PickContext context)
        {
            var result = inner.Pick(context);
            return result.Type == PickResultType.Complete ? result.WithCallTracker(tracker) : result;
        }
    }
}
