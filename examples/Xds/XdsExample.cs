using System.Diagnostics;
using System.Net;
using Grpc.Examples.Echo;
using Proxyless;
using Proxyless.Examples;
using Proxyless.Xds;
using Proxyless.Xds.ControlPlane;
using static Proxyless.Xds.ControlPlane.XdsResources;

namespace Xds;

/// <summary>
/// Proxyless as an xDS client: a control plane (the repo's small ADS server) and two backends on loopback, a channel
/// for <c>xds:///greeter</c> that takes its route, clusters and endpoints from the control plane, and a route change
/// pushed while calls run, printed window by window as the traffic moves from 90/10 to 10/90.
/// </summary>
public static class XdsExample
{
    /// <summary>Runs the example.</summary>
    /// <param name="output">Where it prints.</param>
    /// <param name="window">Calls per printed line.</param>
    /// <returns>Cluster A's share before the change and after it settled.</returns>
    public static async Task<(double Before, double After)> RunAsync(TextWriter output, int window = 200)
    {
        await using var a = await EchoBackend.StartLoopbackAsync();
        await using var b = await EchoBackend.StartLoopbackAsync();
        await using var plane = await XdsControlPlane.StartAsync();
        plane.SetSnapshot([
            Listener("greeter", "greeter-routes"),
            Routes("greeter-routes", ("cluster-a", 90), ("cluster-b", 10)),
            EdsCluster("cluster-a"),
            EdsCluster("cluster-b"),
            Endpoints("cluster-a", ("zone-1", 1, 0, [(IPEndPoint)a.EndPoint])),
            Endpoints("cluster-b", ("zone-1", 1, 0, [(IPEndPoint)b.EndPoint])),
        ]);

        // What GRPC_XDS_BOOTSTRAP (a file) or GRPC_XDS_BOOTSTRAP_CONFIG would hold; given here through the registry.
        var bootstrap = Bootstrap(plane.ServerUri, "xds-example");
        await output.WriteLineAsync($"control plane on {plane.ServerUri}; cluster-a = {a.Address}, cluster-b = {b.Address}");
        await output.WriteLineAsync($"bootstrap: {string.Join(" ", bootstrap.Split('\n').Select(l => l.Trim()))}");
        using var channel = BalancedChannel.Create("xds:///greeter", new BalancedChannelOptions
        {
            Resolvers = Proxyless.Resolution.ResolverRegistry.CreateDefault().AddXds(bootstrap),
        });
        var client = new Echo.EchoClient(channel);
        var clock = Stopwatch.StartNew();

        await output.WriteLineAsync("--- route: cluster-a 90, cluster-b 10 ---");
        var before = 0.0;
        for (var i = 0; i < 3; i++)
        {
            before = await WindowAsync(output, client, a, window, clock);
        }

        await output.WriteLineAsync($"--- {clock.Elapsed.TotalSeconds:0.00}s: the control plane pushes cluster-a 10, cluster-b 90 ---");
        plane.SetResource(Routes("greeter-routes", ("cluster-a", 10), ("cluster-b", 90)));
        var after = 0.0;
        for (var i = 0; i < 3; i++)
        {
            after = await WindowAsync(output, client, a, window, clock);
        }

        var nacks = plane.Replies.Count(r => !r.Accepted);
        await output.WriteLineAsync($"control plane: {plane.Replies.Count(r => r.Accepted)} ACKs, {nacks} NACKs from the client");
        return (before, after);
    }

    // Runs one window of calls and prints cluster-a's and cluster-b's shares of it.
    private static async Task<double> WindowAsync(TextWriter output, Echo.EchoClient client, EchoBackend a, int calls, Stopwatch clock)
    {
        var toA = 0;
        for (var i = 0; i < calls; i++)
        {
            var reply = await client.UnaryEchoAsync(new EchoRequest { Message = "hi" }, deadline: DateTime.UtcNow.AddSeconds(10));
            if (reply.Message.EndsWith($"(from {a.Address})", StringComparison.Ordinal))
            {
                toA++;
            }
        }

        var share = (double)toA / calls;
        await output.WriteLineAsync($"{clock.Elapsed.TotalSeconds,6:0.00}s  {calls} calls: cluster-a {share * 100,5:0.0}%  cluster-b {(1 - share) * 100,5:0.0}%");
        return share;
    }
}
