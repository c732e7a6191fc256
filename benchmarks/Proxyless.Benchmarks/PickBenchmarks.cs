using BenchmarkDotNet.Attributes;
using Grpc.Examples.Echo;
using Grpc.Net.Client;
using Proxyless.Balancing;
using Proxyless.Examples;
using BuiltInPickContext = Grpc.Net.Client.Balancer.PickContext;
using BuiltInPicker = Grpc.Net.Client.Balancer.SubchannelPicker;

namespace Proxyless.Benchmarks;

/// <summary>The cost of one round_robin pick over three READY backends: Proxyless vs grpc-dotnet.</summary>
[MemoryDiagnoser]
public class PickBenchmarks
{
    private readonly List<EchoBackend> _backends = [];
    private BalancedChannel _ours = null!;
    private GrpcChannel _builtIn = null!;
    private Picker _ourPicker = null!;
    private BuiltInPicker _builtInPicker = null!;
    private PickContext _ourContext;
    private BuiltInPickContext _builtInContext = null!;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        for (var i = 0; i < 3; i++)
        {
            _backends.Add(await EchoBackend.StartLoopbackAsync());
        }

        var ports = _backends.Select(b => b.Port).ToArray();
        _ours = BalancedChannel.Create("ipv4:" + string.Join(",", _backends.Select(b => b.Address)), new BalancedChannelOptions
        {
            ServiceConfig = """{"loadBalancingConfig":[{"round_robin":{}}]}""",
        });
        _builtIn = BuiltInBalancer.CreateRoundRobinChannel(ports);
        await WarmUpAsync(new Echo.EchoClient(_ours));
        await WarmUpAsync(new Echo.EchoClient(_builtIn));

        _ourPicker = _ours.Controller.CurrentPicker.Picker;
        _builtInPicker = BuiltInBalancer.GetCurrentPicker(_builtIn);
        var request = new HttpRequestMessage(HttpMethod.Post, "http://localhost/grpc.examples.echo.Echo/UnaryEcho");
        _ourContext = new PickContext(request);
        _builtInContext = new BuiltInPickContext { Request = request };
    }

    [Benchmark(Baseline = true, Description = "grpc-dotnet round_robin pick")]
    public object BuiltIn() => _builtInPicker.Pick(_builtInContext);

    [Benchmark(Description = "Proxyless round_robin pick")]
    public Subchannel? Ours() => _ourPicker.Pick(in _ourContext).Subchannel;

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        _ours.Dispose();
        _builtIn.Dispose();
        foreach (var backend in _backends)
        {
            await backend.DisposeAsync();
        }
    }

    private async Task WarmUpAsync(Echo.EchoClient client)
    {
        // Until every backend has answered, a round_robin picker may not yet hold all three.
        var seen = new HashSet<string>();
        for (var i = 0; i < 1000 && seen.Count < 3; i++)
        {
            seen.Add((await client.UnaryEchoAsync(new EchoRequest { Message = "warm" })).Message);
        }

        if (seen.Count < 3)
        {
            throw new InvalidOperationException("Not every backend became ready.");
        }
    }
}
