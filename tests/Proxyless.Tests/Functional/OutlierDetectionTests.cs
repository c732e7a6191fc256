using Grpc.Examples.Echo;
using Proxyless.Balancing;
using Proxyless.Balancing.Policies.OutlierDetection;
using Proxyless.Balancing.Policies.RoundRobin;
using Proxyless.Configuration;
using Proxyless.Tests.Support;

namespace Proxyless.Tests.Functional;

public class OutlierDetectionTests
{
    private const string Config = """
        {"loadBalancingConfig":[{"outlier_detection":{
            "interval":"0.3s","baseEjectionTime":"1s","maxEjectionPercent":50,
            "failurePercentageEjection":{"threshold":50,"minimumHosts":3,"requestVolume":5},
            "childPolicy":[{"round_robin":{}}]}}]}
        """;

    private static async Task<int[]> CallsAsync(Echo.EchoClient client, BackendSet backends, int calls)
    {
        var before = backends.All.Select(b => b.State.Calls).ToArray();
        for (var i = 0; i < calls; i++)
        {
            try
            {
                await client.UnaryEchoAsync(new EchoRequest { Message = "o" }, deadline: DateTime.UtcNow.AddSeconds(5));
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.Internal)
            {
                // the failing backend's answer
            }
        }

        return backends.All.Select((b, i) => b.State.Calls - before[i]).ToArray();
    }

    [Fact]
    public async Task AFailingBackendIsEjectedAndReturnsAfterTheEjectionTime()
    {
        await using var backends = await BackendSet.StartAsync(3);
        using var channel = BalancedChannel.Create(backends.Target, new BalancedChannelOptions { ServiceConfig = Config });
        var client = new Echo.EchoClient(channel);
        await BalancingTests.WarmUpAsync(client, backends);

        backends[1].State.Options.FailWith = StatusCode.Internal;
        await Eventually.TrueAsync(async () => (await CallsAsync(client, backends, 9))[1] == 0, "the failing backend to be ejected");
        var spread = await CallsAsync(client, backends, 20);
        Assert.Equal(new[] { 10, 0, 10 }, spread);

        backends[1].State.Options.FailWith = null;
        await Eventually.TrueAsync(async () => (await CallsAsync(client, backends, 6))[1] > 0, "the backend to return after its ejection time");
    }

    [Fact]
    public async Task NoMoreThanMaxEjectionPercentIsEjected()
    {
        await using var backends = await BackendSet.StartAsync(3);
        using var channel = BalancedChannel.Create(backends.Target, new BalancedChannelOptions { ServiceConfig = Config });
        var client = new Echo.EchoClient(channel);
        await BalancingTests.WarmUpAsync(client, backends);
        foreach (var backend in backends.All)
        {
            backend.State.Options.FailWith = StatusCode.Internal;
        }

        // 50% of 3: after one ejection 33% < 50% allows a second, then 67% stops; one backend always stays.
        await Eventually.TrueAsync(async () => (await CallsAsync(client, backends, 9)).Count(c => c > 0) == 1, "two of three backends ejected");
        for (var round = 0; round < 5; round++)
        {
            Assert.True((await CallsAsync(client, backends, 9)).Count(c => c > 0) >= 1, "outlier detection must never eject every backend");
        }
    }

    [Fact]
    public void ConfigDefaultsAndErrors()
    {
        var registry = LoadBalancerRegistry.CreateDefault();
        var config = (OutlierDetectionConfig)registry.SelectPolicy(ServiceConfig.Parse(
            """{"loadBalancingConfig":[{"outlier_detection":{"successRateEjection":{},"childPolicy":[{"unknown":{}},{"round_robin":{}}]}}]}""")).Config;
        Assert.Equal(TimeSpan.FromSeconds(10), config.Interval);
        Assert.Equal(TimeSpan.FromSeconds(30), config.BaseEjectionTime);
        Assert.Equal(10, config.MaxEjectionPercent);
        Assert.Equal(1900, config.SuccessRateEjection!.StdevFactor);
        Assert.Null(config.FailurePercentageEjection);
        Assert.IsType<RoundRobinConfig>(config.ChildPolicy.Config);

        var missing = Assert.Throws<ServiceConfigException>(() => registry.SelectPolicy(ServiceConfig.Parse("""{"loadBalancingConfig":[{"outlier_detection":{}}]}""")));
        Assert.Equal("loadBalancingConfig[0].outlier_detection.childPolicy", missing.FieldPath);
        var bad = Assert.Throws<ServiceConfigException>(() => registry.SelectPolicy(ServiceConfig.Parse(
            """{"loadBalancingConfig":[{"outlier_detection":{"failurePercentageEjection":{"threshold":150},"childPolicy":[{"round_robin":{}}]}}]}""")));
        Assert.Equal("loadBalancingConfig[0].outlier_detection.failurePercentageEjection.threshold", bad.FieldPath);
        var unknownChild = Assert.Throws<ServiceConfigException>(() => registry.SelectPolicy(ServiceConfig.Parse(
            """{"loadBalancingConfig":[{"outlier_detection":{"childPolicy":[{"nope":{}}]}}]}""")));
        Assert.Equal("loadBalancingConfig[0].outlier_detection.childPolicy", unknownChild.FieldPath);
    }
}
