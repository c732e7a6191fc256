using System.Collections.Concurrent;
using System.Diagnostics;
using Grpc.Examples.Echo;
using Proxyless.Tests.Support;

namespace Proxyless.Tests.Functional;

/// <summary>
/// The balancer on the call's trace: grpc-dotnet's client activity (what OpenTelemetry's gRPC client instrumentation
/// exports) names the backend that served the attempt and the policy, and carries events for a pick that waited and
/// for a transparent retry. Activities are told apart by the backend ports, which belong to each test.
/// </summary>
public sealed class TracingTests : IDisposable
{
    private readonly ConcurrentQueue<Activity> _activities = new();
    private readonly ActivityListener _listener;

    public TracingTests()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Grpc.Net.Client",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _activities.Enqueue,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public void Dispose() => _listener.Dispose();

    private List<Activity> ServedBy(int port) => [.. _activities.Where(a => Equals(a.GetTagItem("server.port"), port))];

    [Fact]
    public async Task TheCallsActivityNamesTheBackendAndThePolicyAndAWaitedPick()
    {
        await using var backends = await BackendSet.StartAsync(1);
        using var channel = BalancedChannel.Create(backends.Target, new BalancedChannelOptions { ServiceConfig = """{"loadBalancingConfig":[{"round_robin":{}}]}""" });
        var client = new Echo.EchoClient(channel);
        await client.UnaryEchoAsync(new EchoRequest { Message = "a" }, deadline: DateTime.UtcNow.AddSeconds(10)); // the channel was IDLE: the pick waits
        await client.UnaryEchoAsync(new EchoRequest { Message = "b" }, deadline: DateTime.UtcNow.AddSeconds(10));

        var port = backends[0].Port;
        var activities = ServedBy(port);
        Assert.Equal(2, activities.Count);
        Assert.All(activities, a =>
        {
            Assert.Equal("Grpc.Net.Client.GrpcOut", a.OperationName);
            Assert.Equal("127.0.0.1", a.GetTagItem("server.address"));
            Assert.Equal("127.0.0.1", a.GetTagItem("network.peer.address"));
            Assert.Equal(port, a.GetTagItem("network.peer.port"));
            Assert.Equal("round_robin", a.GetTagItem("proxyless.lb.policy"));
        });
        Assert.Equal(1, activities.Sum(a => a.Events.Count(e => e.Name == "proxyless.pick.queued")));
    }

    [Fact]
    public async Task ATransparentRetryIsAnEventOnTheCallsActivity()
    {
        await using var refusing = new RefusingHttp2Server();
        await using var backends = await BackendSet.StartAsync(1);
        using var channel = BalancedChannel.Create($"ipv4:{refusing.Address},{backends[0].Address}", new BalancedChannelOptions { ServiceConfig = """{"loadBalancingConfig":[{"round_robin":{}}]}""" });
        await channel.ConnectAsync();
        await Eventually.ReadyAsync(channel, 2, "both READY");
        var client = new Echo.EchoClient(channel);
        for (var i = 0; i < 4; i++)
        {
            await client.UnaryEchoAsync(new EchoRequest { Message = "t" }, deadline: DateTime.UtcNow.AddSeconds(10));
        }

        var activities = ServedBy(backends[0].Port);
        Assert.Equal(4, activities.Count); // the refused attempt's backend is replaced by the one that served the call
        var retries = activities.SelectMany(a => a.Events).Where(e => e.Name == "proxyless.transparent_retry").ToList();
        Assert.NotEmpty(retries);
        Assert.All(retries, e => Assert.Equal(refusing.Address, e.Tags.Single(t => t.Key == "proxyless.backend").Value));
    }
}
