using Grpc.Core;
using Grpc.Examples.Echo;
using Proxyless;
using Proxyless.Resolution;
using Registry.Server;

namespace Registry.Client;

/// <summary>
/// GoFrame's load-balancing client: discovers <c>hello</c> in the registry and balances calls with the policy given
/// on the command line, printing which instance served each call and, at the end, each instance's share.
/// </summary>
public static class RegistryClient
{
    /// <summary>Runs the client.</summary>
    /// <param name="output">Where lines are printed.</param>
    /// <param name="registry">The registry to discover in.</param>
    /// <param name="policy">The load-balancing policy, e.g. <c>round_robin</c>.</param>
    /// <param name="calls">How many calls.</param>
    /// <param name="interval">Pause between calls.</param>
    /// <param name="cancellationToken">Stops early.</param>
    /// <returns>Calls per instance id.</returns>
    public static async Task<IReadOnlyDictionary<string, int>> RunAsync(TextWriter output, RegistryChoice registry, string policy, int calls, TimeSpan interval, CancellationToken cancellationToken = default)
    {
        var (discovery, resolver) = registry.CreateDiscovery();
        await using var _ = discovery;
        using var channel = BalancedChannel.Create($"{registry.Scheme}:///hello", new BalancedChannelOptions
        {
            Resolvers = ResolverRegistry.CreateDefault().Register(resolver),
            ServiceConfig = $$$"""
                {"loadBalancingConfig":[{"{{{policy}}}":{}}],
                 "healthCheckConfig":{"serviceName":"hello"},
                 "methodConfig":[{"name":[{}],"retryPolicy":{"maxAttempts":3,"initialBackoff":"0.05s","maxBackoff":"0.5s","backoffMultiplier":2,"retryableStatusCodes":["UNAVAILABLE"]}}]}
                """,
        });
        var client = new Echo.EchoClient(channel);
        var counts = new SortedDictionary<string, int>(StringComparer.Ordinal);
        for (var i = 1; i <= calls && !cancellationToken.IsCancellationRequested; i++)
        {
            try
            {
                using var call = client.UnaryEchoAsync(new EchoRequest { Message = "hello" }, new CallOptions(deadline: DateTime.UtcNow.AddSeconds(5), cancellationToken: cancellationToken).WithWaitForReady());
                var peer = (await call.ResponseHeadersAsync).GetPeer();
                var reply = (await call).Message;
                var instance = reply[(reply.IndexOf("(from ", StringComparison.Ordinal) + 6)..^1];
                counts[instance] = counts.GetValueOrDefault(instance) + 1;
                await output.WriteLineAsync($"call {i}: served by {instance} ({peer})");
            }
            catch (RpcException ex)
            {
                await output.WriteLineAsync($"call {i}: failed: {ex.StatusCode}: {ex.Status.Detail}");
            }

            await Task.Delay(interval, cancellationToken);
        }

        await output.WriteLineAsync($"--- {policy}: {string.Join(", ", counts.Select(c => $"{c.Key} {c.Value}"))} ---");
        return counts;
    }
}
