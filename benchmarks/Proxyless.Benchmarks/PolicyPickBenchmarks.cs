using BenchmarkDotNet.Attributes;
using Grpc.Examples.Echo;
using Proxyless.Balancing;
using Proxyless.Examples;

namespace Proxyless.Benchmarks;

/// <summary>The cost of one pick for each built-in policy, over three READY backends (the picker a live channel published).</summary>
[MemoryDiagnoser]
public class PolicyPickBenchmarks
{
    private readonly List<EchoBackend> _backends = [];
    private readonly Dictionary<string, (BalancedChannel Channel, Picker Picker)> _channels = [];
    private PickContext _context;

    [Params("pick_first", "round_robin", "weighted_round_robin", "least_request", "random", "ring_hash")]
    public string Policy { get; set; } = "";

    [GlobalSetup]
    public async Task SetupAsync()
    {
        for (var i = 0; i < 3; i++)
        {
            _backends.Add(await EchoBackend.StartLoopbackAsync());
        }

        var config = Policy == "ring_hash" ? """{"ring_hash":{"requestHashHeader":"x-key"}}""" : $"{{\"{Policy}\":{{}}}}";
        var channel = BalancedChannel.Create("ipv4:" + string.Join(",", _backends.Select(b => b.Address)), new BalancedChannelOptions
        {
            ServiceConfig = $"{{\"loadBalancingConfig\":[{config}]}}",
        });
        var client = new Echo.EchoClient(channel);
        var seen = new HashSet<string>();
        for (var i = 0; i < 2000 && (seen.Count < 3 || i < 100); i++)
        {
            var metadata = new Grpc.Core.Metadata { { "x-key", $"key-{i}" } };
            seen.Add((await client.UnaryEchoAsync(new EchoRequest { Message = "warm" }, metadata)).Message);
        }

        _channels[Policy] = (channel, channel.Controller.CurrentPicker.Picker);
        var request = new HttpRequestMessage(HttpMethod.Post, "http://localhost/grpc.examples.echo.Echo/UnaryEcho");
        request.Headers.TryAddWithoutValidation("x-key", "user-42");
        _context = new PickContext(request);
    }

    [Benchmark]
    public Subchannel? Pick() => _channels[Policy].Picker.Pick(in _context).Subchannel;

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        foreach (var (channel, _) in _channels.Values)
        {
            channel.Dispose();
        }

        foreach (var backend in _backends)
        {
            await backend.DisposeAsync();
        }
    }
}
