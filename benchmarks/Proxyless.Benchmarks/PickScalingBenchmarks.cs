using System.Net;
using BenchmarkDotNet.Attributes;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Proxyless.Balancing;
using Proxyless.Configuration;
using Proxyless.Resolution;

namespace Proxyless.Benchmarks;

/// <summary>
/// The cost of one pick at 3, 100 and 10,000 READY endpoints, per policy (issue 14: a pick must not grow with the
/// endpoints). The policy runs over subchannels that turn READY as soon as they are asked to connect, so the picker is
/// the one a channel with that many live backends would publish.
/// </summary>
[MemoryDiagnoser]
public class PickScalingBenchmarks
{
    private Picker _picker = null!;
    private PickContext _context;
    private LoadBalancer? _policy;

    [Params(3, 100, 10_000)]
    public int Endpoints { get; set; }

    [Params("round_robin", "weighted_round_robin", "least_request", "p2c_ewma", "random", "ring_hash")]
    public string Policy { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        var helper = new ReadyHelper();
        var config = Policy == "ring_hash" ? """{"ring_hash":{"requestHashHeader":"x-key"}}""" : $"{{\"{Policy}\":{{}}}}";
        var selection = LoadBalancerRegistry.CreateDefault().SelectPolicy(ServiceConfig.Parse($"{{\"loadBalancingConfig\":[{config}]}}"));
        _policy = selection.Provider.Create(helper);
        var endpoints = Enumerable.Range(0, Endpoints)
            .Select(i => new BackendEndpoint(new BackendAddress(new IPEndPoint(new IPAddress([10, (byte)(i >> 16), (byte)(i >> 8), (byte)i]), 50051))))
            .ToArray();
        _policy.UpdateChannelState(new ChannelState(endpoints, selection.Config, Attributes.Empty, ServiceConfig.Empty));
        helper.RunAll();
        _picker = helper.Picker ?? throw new InvalidOperationException("the policy published no picker");
        var request = new HttpRequestMessage(HttpMethod.Post, "http://localhost/grpc.examples.echo.Echo/UnaryEcho");
        request.Headers.TryAddWithoutValidation("x-key", "user-42");
        _context = new PickContext(request);
        var ready = Enumerable.Range(0, 1000).Select(_ => _picker.Pick(in _context)).Count(r => r.Type == PickResultType.Complete);
        if (ready < 1000)
        {
            throw new InvalidOperationException($"{Policy} at {Endpoints} endpoints: {1000 - ready} of 1000 picks did not complete");
        }
    }

    [Benchmark]
    public Subchannel? Pick() => _picker.Pick(in _context).Subchannel;

    [GlobalCleanup]
    public void Cleanup() => _policy?.Dispose();

    /// <summary>A channel whose subchannels are READY as soon as they are asked to connect; work runs when drained.</summary>
    private sealed class ReadyHelper : IChannelControlHelper
    {
        private readonly Queue<Action> _work = new();

        public Picker? Picker { get; private set; }

        public TimeProvider TimeProvider => TimeProvider.System;

        public ILoggerFactory LoggerFactory => NullLoggerFactory.Instance;

        public string Authority => "bench";

        public Subchannel CreateSubchannel(BackendAddress address, Action<SubchannelState> onStateChanged, SubchannelOptions? options = null)
            => new ReadySubchannel(address, onStateChanged, _work);

        public void UpdateState(ConnectivityState state, Picker picker) => Picker = picker;

        public void RefreshResolver()
        {
        }

        public void Schedule(Action action) => _work.Enqueue(action);

        public IDisposable ScheduleDelayed(TimeSpan delay, Action action) => new NoTimer();

        public void RunAll()
        {
            while (_work.TryDequeue(out var action))
            {
                action();
            }
        }

        private sealed class NoTimer : IDisposable
        {
            public void Dispose()
            {
            }
        }
    }

    private sealed class ReadySubchannel(BackendAddress address, Action<SubchannelState> listener, Queue<Action> work) : Subchannel
    {
        private SubchannelState _state = new(ConnectivityState.Idle, Status.DefaultSuccess);

        public override BackendAddress Address => address;

        public override SubchannelState State => _state;

        public override void RequestConnection()
        {
            if (_state.State != ConnectivityState.Idle)
            {
                return;
            }

            work.Enqueue(() =>
            {
                _state = new SubchannelState(ConnectivityState.Ready, Status.DefaultSuccess);
                listener(_state);
            });
        }

        public override void Shutdown() => _state = new SubchannelState(ConnectivityState.Shutdown, Status.DefaultSuccess);
    }
}
