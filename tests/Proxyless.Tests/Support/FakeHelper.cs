using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Proxyless.Balancing;
using Proxyless.Resolution;

namespace Proxyless.Tests.Support;

/// <summary>
/// A channel helper for policy unit tests: subchannels whose state the test drives, a record of every published
/// state, and a fake clock (<see cref="Time"/>) that drives the policy's timers and time reads together
/// (<see cref="Advance"/>). Everything runs synchronously on the test thread, which plays the serializer.
/// </summary>
internal sealed class FakeHelper : IChannelControlHelper
{
    private readonly Queue<Action> _scheduled = new();

    public List<FakeSubchannel> Subchannels { get; } = [];

    public List<(ConnectivityState State, Picker Picker)> Updates { get; } = [];

    public int RefreshCount { get; private set; }

    public ConnectivityState State => Updates.Count == 0 ? ConnectivityState.Idle : Updates[^1].State;

    public Picker Picker => Updates[^1].Picker;

    /// <summary>The policy's clock: only <see cref="Advance"/> (or the test) moves it.</summary>
    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    public TimeProvider TimeProvider => Time;

    public ILoggerFactory LoggerFactory => NullLoggerFactory.Instance;

    public string Authority => "fake";

    public string Target { get; } = $"fake:///{Guid.NewGuid():N}"; // unique, so metric tests running together do not mix

    public FakeSubchannel Get(string address) => Subchannels.Last(s => s.Address.ToString() == address);

    public List<SubchannelOptions?> SubchannelOptions { get; } = [];

    public Subchannel CreateSubchannel(BackendAddress address, Action<SubchannelState> onStateChanged, SubchannelOptions? options = null)
    {
        SubchannelOptions.Add(options);
        var subchannel = new FakeSubchannel(address, onStateChanged, this);
        Subchannels.Add(subchannel);
        return subchannel;
    }

    public void UpdateState(ConnectivityState state, Picker picker) => Updates.Add((state, picker));

    public void RefreshResolver() => RefreshCount++;

    /// <summary>How many actions the policy has scheduled so far.</summary>
    public int ScheduledCount { get; private set; }

    public void Schedule(Action action)
    {
        ScheduledCount++;
        _scheduled.Enqueue(action);
    }

    public List<FakeTimer> Timers { get; } = [];

    public IDisposable ScheduleDelayed(TimeSpan delay, Action action)
    {
        var timer = new FakeTimer(delay, action, Time.GetUtcNow() + delay);
        Timers.Add(timer);
        return timer;
    }

    /// <summary>
    /// Moves the clock forward, firing each timer when its time comes (in order, including timers that fired timers
    /// set), with the clock at that timer's due time, and running what the policy scheduled after each.
    /// </summary>
    public void Advance(TimeSpan by)
    {
        var end = Time.GetUtcNow() + by;
        while (Timers.Where(t => !t.Cancelled && !t.Fired && t.DueAt <= end).MinBy(t => t.DueAt) is { } next)
        {
            if (next.DueAt > Time.GetUtcNow())
            {
                Time.SetUtcNow(next.DueAt);
            }

            next.Fired = true;
            next.Action();
            RunScheduled();
        }

        Time.SetUtcNow(end);
    }

    /// <summary>Fires every pending timer at once, whatever its delay (the clock does not move).</summary>
    public int FireTimers()
    {
        var due = Timers.Where(t => !t.Cancelled && !t.Fired).ToList();
        foreach (var timer in due)
        {
            timer.Fired = true;
            timer.Action();
            RunScheduled();
        }

        return due.Count;
    }

    /// <summary>Runs the oldest piece of work the policy scheduled; false when there was none.</summary>
    public bool RunNextScheduled()
    {
        if (!_scheduled.TryDequeue(out var action))
        {
            return false;
        }

        action();
        return true;
    }

    /// <summary>Runs work the policy scheduled.</summary>
    public void RunScheduled()
    {
        while (_scheduled.TryDequeue(out var action))
        {
            action();
        }
    }

    public PickResult Pick() => Picker.Pick(new PickContext(new HttpRequestMessage(HttpMethod.Post, "http://fake/svc/Method")));
}

internal sealed class FakeTimer(TimeSpan delay, Action action, DateTimeOffset dueAt) : IDisposable
{
    public TimeSpan Delay { get; } = delay;

    public DateTimeOffset DueAt { get; } = dueAt;

    public Action Action { get; } = action;

    public bool Cancelled { get; private set; }

    public bool Fired { get; set; }

    public void Dispose() => Cancelled = true;
}

internal sealed class FakeSubchannel(BackendAddress address, Action<SubchannelState> listener, FakeHelper helper) : Subchannel
{
    private SubchannelState _state = new(ConnectivityState.Idle, Status.DefaultSuccess);

    public override BackendAddress Address => address;

    public override SubchannelState State => _state;

    public int ConnectRequests { get; private set; }

    public bool IsShutdown => _state.State == ConnectivityState.Shutdown;

    public override void RequestConnection()
    {
        ConnectRequests++;
        if (_state.State == ConnectivityState.Idle)
        {
            Set(ConnectivityState.Connecting);
        }
    }

    public override void Shutdown() => _state = new SubchannelState(ConnectivityState.Shutdown, Status.DefaultSuccess);

    public void Set(ConnectivityState state, string? error = null)
    {
        if (IsShutdown)
        {
            return;
        }

        _state = new SubchannelState(state, error is null ? Status.DefaultSuccess : new Status(StatusCode.Unavailable, error));
        listener(_state);
        helper.RunScheduled();
    }
}
