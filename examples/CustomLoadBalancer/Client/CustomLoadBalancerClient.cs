using Grpc.Examples.Echo;
using Proxyless;
using Proxyless.Balancing;

namespace CustomLoadBalancer.Client;

/// <summary>
/// grpc-go's customloadbalancer client: custom_round_robin with chooseSecond 3 over two endpoints; prints every reply
/// and stops after three consecutive groups of three calls split 2:1 between the servers.
/// </summary>
public static class CustomLoadBalancerClient
{
    /// <summary>The message every call sends.</summary>
    public const string Message = "this is examples/customloadbalancing";

    /// <summary>Runs the example.</summary>
    /// <param name="output">Where replies are printed.</param>
    /// <param name="target">A target with the two servers, first-choice first.</param>
    /// <param name="timeout">How long to wait for the 1:2 pattern.</param>
    public static async Task RunAsync(TextWriter output, string target, TimeSpan timeout)
    {
        using var channel = BalancedChannel.Create(target, new BalancedChannelOptions
        {
            LoadBalancers = LoadBalancerRegistry.CreateDefault().Register(new CustomRoundRobinProvider()),
            ServiceConfig = """{"loadBalancingConfig":[{"custom_round_robin":{"chooseSecond":3}}]}""",
        });
        var client = new Echo.EchoClient(channel);
        using var deadline = new CancellationTokenSource(timeout);
        var goodGroups = 0;
        while (goodGroups < 3)
        {
            var counts = new Dictionary<string, int>();
            for (var i = 0; i < 3; i++)
            {
                var reply = await client.UnaryEchoAsync(new EchoRequest { Message = Message }, cancellationToken: deadline.Token);
                await output.WriteLineAsync(reply.Message);
                counts[reply.Message] = counts.GetValueOrDefault(reply.Message) + 1;
            }

            goodGroups = counts.Values.Order().SequenceEqual([1, 2]) ? goodGroups + 1 : 0;
        }

        await output.WriteLineAsync("Successful multiple iterations of 1:2 ratio");
    }
}
