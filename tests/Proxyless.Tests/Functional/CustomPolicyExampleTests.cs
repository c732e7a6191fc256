using Grpc.Examples.Echo;
using Microsoft.Extensions.DependencyInjection;
using Proxyless.Balancing;
using Proxyless.Configuration;
using Proxyless.Examples;
using Proxyless.Tests.Support;

namespace Proxyless.Tests.Functional;

public class CustomPolicyExampleTests
{
    private static string[] Lines(StringWriter output) => output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();

    [Fact]
    public async Task CustomLoadBalancerExampleSplitsOneToTwo()
    {
        var servers = await CustomLoadBalancer.Server.CustomLoadBalancerServers.StartAsync([0, 0]);
        try
        {
            var output = new StringWriter();
            await CustomLoadBalancer.Client.CustomLoadBalancerClient.RunAsync(output, "ipv4:" + string.Join(",", servers.Select(s => s.Address)), TimeSpan.FromSeconds(20));
            var lines = Lines(output);
            Assert.Equal("Successful multiple iterations of 1:2 ratio", lines[^1]);
            var first = $"this is examples/customloadbalancing (from localhost:{servers[0].Port})";
            var second = $"this is examples/customloadbalancing (from localhost:{servers[1].Port})";
            var replies = lines[..^1];
            Assert.All(replies, l => Assert.True(l == first || l == second, l));

            // The last three groups of three: first, first, second (chooseSecond = 3).
            Assert.Equal(Enumerable.Repeat(new[] { first, first, second }, 3).SelectMany(x => x), replies[^9..]);
        }
        finally
        {
            await ExampleServers.StopAllAsync(servers);
        }
    }

    [Fact]
    public async Task DualStackExampleFallsBackToIpv4ForTheIpv4OnlyServerAndSplitsEvenly()
    {
        var servers = await DualStack.Server.DualStackServers.StartAsync([0, 0, 0]);
        try
        {
            var output = new StringWriter();
            var ports = servers.Select(s => s.Port).ToArray();
            await DualStack.Client.DualStackClient.RunAsync(output, ports, TimeSpan.FromSeconds(20));
            var lines = Lines(output);
            Assert.Equal("Successful multiple iterations of 1:1:1 ratio", lines[^1]);
            string Line(string peer, string label) => $"Response from peer \"{peer}\": message:\"this is examples/customloadbalancing (from {label})\"";
            var v4Only = Line($"127.0.0.1:{ports[0]}", $"127.0.0.1:{ports[0]}");   // IPv6 refused, IPv4 used
            var v6Only = Line($"[::1]:{ports[1]}", $"[::1]:{ports[1]}");
            var both = Line($"[::1]:{ports[2]}", $"[::]:{ports[2]}");               // IPv6 tried first and works
            var expected = new[] { v4Only, v4Only, v4Only, v6Only, v6Only, v6Only, both, both, both };
            Assert.Equal(Enumerable.Repeat(expected, 3).SelectMany(x => x), lines[^28..^1]);
        }
        finally
        {
            await ExampleServers.StopAllAsync(servers);
        }
    }

    [Fact]
    public async Task ACustomPolicyRegisteredInDependencyInjectionIsUsedByName()
    {
        await using var backends = await BackendSet.StartAsync(2);
        var services = new ServiceCollection()
            .AddProxylessLoadBalancer<CustomLoadBalancer.Client.CustomRoundRobinProvider>()
            .AddProxylessResolver(new ManualResolverProvider(ManualResolverProvider.Endpoints(backends[0], backends[1])))
            .BuildServiceProvider();
        using var channel = BalancedChannel.Create("manual:///svc", new BalancedChannelOptions
        {
            ServiceProvider = services,
            ServiceConfig = """{"loadBalancingConfig":[{"custom_round_robin":{"chooseSecond":2}}]}""",
        });
        var client = new Echo.EchoClient(channel);
        var replies = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            replies.Add((await client.UnaryEchoAsync(new EchoRequest { Message = "di" })).Message);
        }

        Assert.Equal(2, replies.Count(r => r.EndsWith($"{backends[0].Address})")));
        Assert.Equal(2, replies.Count(r => r.EndsWith($"{backends[1].Address})")));
    }

    [Theory]
    [InlineData("""{"chooseSecond":-1}""", "loadBalancingConfig[0].custom_round_robin.chooseSecond", "out of range")]
    [InlineData("""{"chooseSecond":"three"}""", "loadBalancingConfig[0].custom_round_robin.chooseSecond", "expected a whole number")]
    public void ACustomPolicysBadConfigNamesTheField(string config, string field, string problem)
    {
        var registry = LoadBalancerRegistry.CreateDefault().Register(new CustomLoadBalancer.Client.CustomRoundRobinProvider());
        var ex = Assert.Throws<ServiceConfigException>(() => registry.SelectPolicy(ServiceConfig.Parse($$"""{"loadBalancingConfig":[{"custom_round_robin":{{config}}}]}""")));
        Assert.Equal(field, ex.FieldPath);
        Assert.Contains(problem, ex.Message);
    }

    [Fact]
    public void ACustomPolicysConfigGetsItsDefault()
    {
        var registry = LoadBalancerRegistry.CreateDefault().Register(new CustomLoadBalancer.Client.CustomRoundRobinProvider());
        var config = registry.SelectPolicy(ServiceConfig.Parse("""{"loadBalancingConfig":[{"custom_round_robin":{}}]}""")).Config;
        Assert.Equal(3, Assert.IsType<CustomLoadBalancer.Client.CustomRoundRobinConfig>(config).ChooseSecond);
    }
}
