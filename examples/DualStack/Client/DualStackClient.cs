using Grpc.Examples.Echo;
using Proxyless;
using Proxyless.Balancing;
using Proxyless.Resolution;

namespace DualStack.Client;

/// <summary>
/// grpc-go's dualstack client: three endpoints with an IPv6 and an IPv4 address each, custom_round_robin with
/// repeatCount 3; prints the serving peer of every call and stops after three consecutive groups of nine calls
/// split 3:3:3.
/// </summary>
public static class DualStackClient
{
    /// <summary>The message every call sends.</summary>
    public const string Message = "this is examples/customloadbalancing";

    /// <summary>Runs the example.</summary>
    /// <param name="output">Where the lines are printed.</param>
    /// <param name="ports">The three servers' ports.</param>
    /// <param name="timeout">How long to wait for the 1:1:1 pattern.</param>
    public static async Task RunAsync(TextWriter output, IReadOnlyList<int> ports, TimeSpan timeout)
    {
        using var channel = BalancedChannel.Create("example:///dualstack.example.grpc.io", new BalancedChannelOptions
        {
            Resolvers = ResolverRegistry.CreateDefault().Register(DualStackResolverProvider.Create(ports)),
            LoadBalancers = LoadBalancerRegistry.CreateDefault().Register(new RepeatRoundRobinProvider()),
            ServiceConfig = """{"loadBalancingConfig":[{"custom_round_robin":{"repeatCount":3}}]}""",
        });
        var client = new Echo.EchoClient(channel);
        using var deadline = new CancellationTokenSource(timeout);
        var goodGroups = 0;
        while (goodGroups < 3)
        {
            var counts = new Dictionary<string, int>();
            for (var i = 0; i < 9; i++)
            {
                using var call = client.UnaryEchoAsync(new EchoRequest { Message = Message }, cancellationToken: deadline.Token);
                var peer = (await call.ResponseHeadersAsync).GetPeer() ?? "unknown";
                var reply = await call;
                await output.WriteLineAsync($"Response from peer \"{peer}\": message:\"{reply.Message}\"");
                counts[peer] = counts.GetValueOrDefault(peer) + 1;
            }

            goodGroups = counts.Count == 3 && counts.Values.All(c => c == 3) ? goodGroups + 1 : 0;
        }

        await output.WriteLineAsync("Successful multiple iterations of 1:1:1 ratio");
    }
}
