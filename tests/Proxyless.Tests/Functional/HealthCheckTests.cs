using Grpc.Examples.Echo;
using Grpc.Health.V1;
using Proxyless.Diagnostics;
using Proxyless.Tests.Support;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace Proxyless.Tests.Functional;

public class HealthCheckTests
{
    private const string Service = "grpc.examples.echo.Echo";

    private static string Config(string policy) =>
        "{\"loadBalancingConfig\":[{\"" + policy + "\":{}}],\"healthCheckConfig\":{\"serviceName\":\"" + Service + "\"}}";

    private static async Task<int[]> CallsPerBackendAsync(Echo.EchoClient client, BackendSet backends, int calls)
    {
        var before = backends.All.Select(b => b.State.Calls).ToArray();
        for (var i = 0; i < calls; i++)
        {
            await client.UnaryEchoAsync(new EchoRequest { Message = "h" }, deadline: DateTime.UtcNow.AddSeconds(10));
        }

        return backends.All.Select((b, i) => b.State.Calls - before[i]).ToArray();
    }

    [Fact]
    public async Task NotServingMovesTrafficAwayAndServingBringsItBack()
    {
        using var metrics = new MetricRecorder(ProxylessMeters.Stable);
        await using var backends = await BackendSet.StartAsync(3);
        using var channel = BalancedChannel.Create(backends.Target, new BalancedChannelOptions { ServiceConfig = Config("round_robin") });
        var client = new Echo.EchoClient(channel);
        await BalancingTests.WarmUpAsync(client, backends);

        backends[1].Health!.SetStatus(Service, ServingStatus.NotServing);
        await Eventually.TrueAsync(async () => (await CallsPerBackendAsync(client, backends, 6))[1] == 0, "traffic to leave the NOT_SERVING backend");
        var spread = await CallsPerBackendAsync(client, backends, 20);
        Assert.Equal(new[] { 10, 0, 10 }, spread);

        backends[1].Health!.SetStatus(Service, ServingStatus.Serving);
        await Eventually.TrueAsync(async () => (await CallsPerBackendAsync(client, backends, 6))[1] > 0, "traffic to return");

        // Each backend's first answer (SERVING), then backend 1's two changes, as health_changes.
        var changes = metrics.Of("proxyless.subchannel.health_changes", backends.Target)
            .Select(m => ((string)m.Tags["proxyless.backend"]!, (string)m.Tags["proxyless.health.state"]!)).ToList();
        Assert.Equal(5, changes.Count);
        Assert.Equal(["SERVING", "NOT_SERVING", "SERVING"], changes.Where(c => c.Item1 == backends[1].Address).Select(c => c.Item2));
        Assert.Equal(["SERVING"], changes.Where(c => c.Item1 == backends[0].Address).Select(c => c.Item2));
    }

    [Fact]
    public async Task WhenEveryBackendIsNotServingCallsFailWithTheReasonUnderTheConfiguredPolicysName()
    {
        await using var backends = await BackendSet.StartAsync(1);
        backends[0].Health!.SetStatus(Service, ServingStatus.NotServing);
        using var channel = BalancedChannel.Create(backends.Target, new BalancedChannelOptions { ServiceConfig = Config("round_robin") });
        var ex = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            // The first call may wait while the health check gives its first answer; then it fails fast.
            await new Echo.EchoClient(channel).UnaryEchoAsync(new EchoRequest(), deadline: DateTime.UtcNow.AddSeconds(10));
        });
        Assert.Equal(StatusCode.Unavailable, ex.StatusCode);
        Assert.StartsWith($"round_robin: health check of {backends[0].Address}: service '{Service}' is NOT_SERVING", ex.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(0, backends[0].State.Calls);
    }

    [Fact]
    public async Task AServerWithoutTheHealthServiceStillGetsTraffic()
    {
        await using var backends = await BackendSet.StartAsync(2, (_, o) => o.EnableHealthService = false);
        using var channel = BalancedChannel.Create(backends.Target, new BalancedChannelOptions { ServiceConfig = Config("round_robin") });
        var client = new Echo.EchoClient(channel);
        await BalancingTests.WarmUpAsync(client, backends);
        var spread = await CallsPerBackendAsync(client, backends, 10);
        Assert.Equal(new[] { 5, 5 }, spread);
    }

    [Fact]
    public async Task TheWatchRunsOverTheSameConnectionAsTheCalls()
    {
        await using var backends = await BackendSet.StartAsync(1);
        using var channel = BalancedChannel.Create(backends.Target, new BalancedChannelOptions { ServiceConfig = Config("round_robin") });
        await new Echo.EchoClient(channel).UnaryEchoAsync(new EchoRequest { Message = "x" });

        var log = backends[0].State.CallLog.ToArray();
        var watch = Assert.Single(log, c => c.Method == "/grpc.health.v1.Health/Watch");
        var echo = Assert.Single(log, c => c.Method == "/grpc.examples.echo.Echo/UnaryEcho");
        Assert.Equal(watch.Peer, echo.Peer); // same client port: the same HTTP/2 connection
        Assert.Equal(1, backends[0].OpenConnections);
    }

    [Fact]
    public async Task TopLevelPickFirstDoesNotHealthCheck()
    {
        // gRFC A61: only pick_first under a delegating policy health-checks.
        await using var backends = await BackendSet.StartAsync(1);
        backends[0].Health!.SetStatus(Service, ServingStatus.NotServing);
        using var channel = BalancedChannel.Create(backends.Target, new BalancedChannelOptions { ServiceConfig = Config("pick_first") });
        await new Echo.EchoClient(channel).UnaryEchoAsync(new EchoRequest { Message = "x" }, deadline: DateTime.UtcNow.AddSeconds(10));
        Assert.DoesNotContain(backends[0].State.CallLog, c => c.Method == "/grpc.health.v1.Health/Watch");
    }
}
