using Grpc.Examples.Echo;
using Proxyless.Tests.Support;

namespace Proxyless.Tests.Functional;

/// <summary>
/// Backends leaving under load with no retry policy configured: whatever provably never reached a server is picked
/// again (gRPC's transparent retry), so a graceful shutdown costs no call.
/// </summary>
public class BackendShutdownTests
{
    private const string RoundRobin = """{"loadBalancingConfig":[{"round_robin":{}}]}""";

    [Fact]
    public async Task GracefulShutdownOfTwoOfThreeBackendsUnderLoadFailsNoCallWithoutARetryPolicy()
    {
        await using var backends = await BackendSet.StartAsync(3);
        using var channel = BalancedChannel.Create(backends.Target, new BalancedChannelOptions { ServiceConfig = RoundRobin });
        var client = new Echo.EchoClient(channel);
        await BalancingTests.WarmUpAsync(client, backends);

        var load = CallLoad.Start(client, callers: 8);
        await load.WaitForMoreCallsAsync(300, "calls before the shutdown");
        await Task.WhenAll(backends[0].StopAsync(), backends[1].StopAsync());
        await load.WaitForMoreCallsAsync(300, "calls after the shutdown");
        await load.StopAsync();

        Assert.True(load.Failed == 0, $"{load.Failed} of {load.Completed} calls failed:\n{load.Errors}");
        Assert.True(backends[2].State.Calls > 300, "the remaining backend served the calls after the shutdown");
    }
}
