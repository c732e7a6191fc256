using Grpc.Examples.Echo;
using Proxyless;
using Proxyless.Resolution;

namespace LoadBalancing.Client;

/// <summary>
/// grpc-go's load_balancing client: one channel with pick_first (the default), one with round_robin, ten calls each
/// to <c>example:///lb.example.grpc.io</c>, printing every reply.
/// </summary>
public static class LoadBalancingClient
{
    /// <summary>The message every call sends.</summary>
    public const string Message = "this is examples/load_balancing";

    /// <summary>Runs both halves of the example.</summary>
    /// <param name="output">Where the replies are printed.</param>
    /// <param name="addresses">The backend addresses the example resolver returns.</param>
    public static async Task RunAsync(TextWriter output, IReadOnlyList<BackendAddress> addresses)
    {
        var target = $"{ExampleResolverProvider.ExampleScheme}:///{ExampleResolverProvider.ExampleServiceName}";
        var resolvers = ResolverRegistry.CreateDefault().Register(new ExampleResolverProvider(addresses));

        using (var pickFirst = BalancedChannel.Create(target, new BalancedChannelOptions { Resolvers = resolvers }))
        {
            await output.WriteLineAsync("--- calling grpc.examples.echo.Echo/UnaryEcho with pick_first ---");
            await MakeRpcsAsync(output, pickFirst, 10);
        }

        await output.WriteLineAsync();

        var roundRobinOptions = new BalancedChannelOptions
        {
            Resolvers = resolvers,
            ServiceConfig = """{"loadBalancingConfig": [{"round_robin":{}}]}""",
        };
        using (var roundRobin = BalancedChannel.Create(target, roundRobinOptions))
        {
            await output.WriteLineAsync("--- calling grpc.examples.echo.Echo/UnaryEcho with round_robin ---");
            await MakeRpcsAsync(output, roundRobin, 10);
        }
    }

    private static async Task MakeRpcsAsync(TextWriter output, BalancedChannel channel, int count)
    {
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
        {
            await channel.ConnectAsync(timeout.Token);
        }

        var client = new Echo.EchoClient(channel);
        for (var i = 0; i < count; i++)
        {
            var reply = await client.UnaryEchoAsync(new EchoRequest { Message = Message }, deadline: DateTime.UtcNow.AddSeconds(10));
            await output.WriteLineAsync(reply.Message);
        }
    }
}
