using System.Net;
using Grpc.Core;
using Grpc.Examples.Echo;
using Proxyless;
using Proxyless.Examples;
using Proxyless.Resolution;
using Proxyless.Transport;

namespace Tls;

/// <summary>
/// grpc-go's load_balancing example modified for TLS, done right: three members with certificates for
/// member1/2/3.etcd.local, signed by a CA made at start; every backend is dialled by IP and verified under its own name.
/// </summary>
public static class TlsExample
{
    /// <summary>The message every call sends.</summary>
    public const string Message = "this is examples/load_balancing";

    /// <summary>Starts the servers, runs pick_first and round_robin clients, stops the servers.</summary>
    /// <param name="output">Where replies (or the error) are printed.</param>
    /// <param name="wrongName">Leave out the per-address names, so every backend is checked against the target's name.</param>
    /// <param name="ports">Three ports (0 picks free ones).</param>
    /// <returns>0 on success, 1 when a call failed.</returns>
    public static async Task<int> RunAsync(TextWriter output, bool wrongName, IReadOnlyList<int> ports)
    {
        using var ca = DevCertificateAuthority.Create("Proxyless TLS example CA");
        var servers = new List<EchoBackend>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                var name = $"member{i + 1}.etcd.local";
                var server = await EchoBackend.StartAsync(new IPEndPoint(IPAddress.Loopback, ports[i]), o =>
                {
                    o.Label = name;
                    o.ServerCertificate = ca.IssueServerCertificate([name]);
                });
                servers.Add(server);
            }

            var members = servers.Select(s => (s.State.Label, s.EndPoint)).ToArray();
            var resolvers = ResolverRegistry.CreateDefault().Register(MemberResolverProvider.Create(members, withServerNames: !wrongName));
            foreach (var policy in new[] { "pick_first", "round_robin" })
            {
                using var channel = BalancedChannel.Create("example:///lb.example.grpc.io", new BalancedChannelOptions
                {
                    Resolvers = resolvers,
                    ServiceConfig = $"{{\"loadBalancingConfig\":[{{\"{policy}\":{{}}}}]}}",
                    Tls = new TlsOptions { TrustedRoots = [ca.Certificate] },
                });
                await output.WriteLineAsync($"--- calling grpc.examples.echo.Echo/UnaryEcho with {policy} ---");
                if (!wrongName)
                {
                    await WaitUntilConnectedAsync(channel, policy == "round_robin" ? members.Length : 1);
                }

                var client = new Echo.EchoClient(channel);
                for (var i = 0; i < 10; i++)
                {
                    try
                    {
                        var reply = await client.UnaryEchoAsync(new EchoRequest { Message = Message }, deadline: DateTime.UtcNow.AddSeconds(10));
                        await output.WriteLineAsync(reply.Message);
                    }
                    catch (RpcException ex)
                    {
                        await output.WriteLineAsync($"could not echo: rpc error: code = {ex.StatusCode} desc = {ex.Status.Detail}");
                        return 1;
                    }
                }

                await output.WriteLineAsync();
            }

            return 0;
        }
        finally
        {
            await ExampleServers.StopAllAsync(servers);
        }
    }

    // TLS handshakes take a moment; let every connection the policy wants be up so the output shows the rotation.
    private static async Task WaitUntilConnectedAsync(BalancedChannel channel, int connections)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await channel.ConnectAsync(timeout.Token);
        while (channel.GetDiagnostics().Subchannels.Count(s => s.State == ConnectivityState.Ready) < connections && !timeout.IsCancellationRequested)
        {
            await Task.Delay(10, timeout.Token);
        }
    }
}
