using System.Diagnostics;
using Grpc.Core;
using Grpc.Examples.Echo;
using Proxyless.Resolution;
using Spectre.Console;

namespace Proxyless.Cli;

/// <summary>What the <c>proxyless</c> subcommands do; each writes to the console it is given and returns an exit code.</summary>
internal static class Commands
{
    /// <summary>Resolves a target once and prints its endpoints and their attributes.</summary>
    public static async Task<int> ResolveAsync(IAnsiConsole console, string target, string registry, TimeSpan timeout)
    {
        var (resolvers, owner) = Resolvers(target, registry);
        await using var _ = owner;
        var (parsed, provider) = resolvers.Parse(target);
        using var resolver = provider.CreateResolver(parsed, new ResolverOptions());
        var first = new TaskCompletionSource<ResolverResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        resolver.Start(r => first.TrySetResult(r));
        ResolverResult result;
        try
        {
            result = await first.Task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            console.MarkupLineInterpolated($"[red]no resolution of {target} within {timeout.TotalSeconds:0.#} s[/]");
            return 1;
        }

        if (result.Endpoints is null)
        {
            console.MarkupLineInterpolated($"[red]{target}: {result.Error.StatusCode}: {result.Error.Detail}[/]");
            return 1;
        }

        var table = new Table().AddColumns("endpoint", "addresses", "attributes");
        for (var i = 0; i < result.Endpoints.Count; i++)
        {
            var endpoint = result.Endpoints[i];
            table.AddRow(
                (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture),
                Markup.Escape(string.Join(", ", endpoint.Addresses))
                    + (endpoint.Addresses[0].Attributes.Count > 0 ? Markup.Escape(" " + endpoint.Addresses[0].Attributes) : ""),
                Markup.Escape(endpoint.Attributes.ToString()));
        }

        console.MarkupLineInterpolated($"{target} ({parsed.Scheme}): {result.Endpoints.Count} endpoint(s)");
        console.Write(table);
        return 0;
    }

    /// <summary>Calls grpc.examples.echo.Echo/UnaryEcho through a balanced channel and shows who served each call.</summary>
    public static async Task<int> CallAsync(IAnsiConsole console, string target, string policy, string? serviceConfig, int count, string message, string registry, bool quiet)
    {
        var (resolvers, owner) = Resolvers(target, registry);
        await using var _ = owner;
        var json = ServiceConfigFor(policy, serviceConfig);
        policy = PolicyIn(json); // the one in use
        using var channel = BalancedChannel.Create(target, new BalancedChannelOptions
        {
            Resolvers = resolvers,
            ServiceConfig = json,
        });
        var client = new Echo.EchoClient(channel);
        var perPeer = new SortedDictionary<string, (int Calls, double TotalMs)>(StringComparer.Ordinal);
        var failures = 0;
        for (var i = 1; i <= count; i++)
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                using var call = client.UnaryEchoAsync(new EchoRequest { Message = message }, deadline: DateTime.UtcNow.AddSeconds(10));
                var peer = (await call.ResponseHeadersAsync).GetPeer() ?? "?";
                var reply = await call;
                var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                var (calls, total) = perPeer.GetValueOrDefault(peer);
                perPeer[peer] = (calls + 1, total + ms);
                if (!quiet)
                {
                    console.MarkupLineInterpolated($"{i,4}  {peer,-24} {ms,7:0.0} ms  {reply.Message}");
                }
            }
            catch (RpcException ex)
            {
                failures++;
                console.MarkupLineInterpolated($"{i,4}  [red]{ex.StatusCode}: {ex.Status.Detail}[/]");
            }
        }

        var table = new Table().AddColumns("peer", "calls", "share", "mean ms");
        foreach (var (peer, (calls, total)) in perPeer)
        {
            table.AddRow(Markup.Escape(peer), calls.ToString(System.Globalization.CultureInfo.InvariantCulture), $"{100.0 * calls / count:0.0}%", $"{total / calls:0.0}");
        }

        console.Write(table);
        console.MarkupLineInterpolated($"{count} calls with {policy}: {count - failures} ok, {failures} failed; channel {channel.State}");
        return failures == 0 ? 0 : 1;
    }

    /// <summary>Drives echo load through a balanced channel (<c>proxyless load</c>); exit 1 when no call succeeded.</summary>
    public static async Task<int> LoadAsync(IAnsiConsole console, Load.LoadSettings settings, string registry, bool json, CancellationToken cancellationToken)
    {
        var (resolvers, owner) = Resolvers(settings.Target, registry);
        await using var _ = owner;
        var policy = PolicyIn(settings.ServiceConfig);
        using var channel = BalancedChannel.Create(settings.Target, new BalancedChannelOptions { Resolvers = resolvers, ServiceConfig = settings.ServiceConfig });
        var report = await Load.LoadView.RunAsync(console, new Echo.EchoClient(channel), settings, policy, json, cancellationToken);
        return report.Ok > 0 ? 0 : 1;
    }

    /// <summary>Watches a balanced channel to the target (<c>proxyless watch</c>).</summary>
    public static async Task<int> WatchAsync(IAnsiConsole console, string target, string serviceConfig, string registry, TimeSpan duration, TimeSpan interval, int rps, bool json, CancellationToken cancellationToken)
    {
        var (resolvers, owner) = Resolvers(target, registry);
        await using var _ = owner;
        PolicyIn(serviceConfig); // bad config: exit 2 before anything starts
        using var channel = BalancedChannel.Create(target, new BalancedChannelOptions { Resolvers = resolvers, ServiceConfig = serviceConfig });
        return await WatchView.RunAsync(console, channel, duration, interval, rps, json, cancellationToken);
    }

    /// <summary>The service config for <c>--policy</c>, unless a full one was given.</summary>
    public static string ServiceConfigFor(string policy, string? serviceConfig) => serviceConfig ?? $"{{\"loadBalancingConfig\":[{{\"{policy}\":{{}}}}]}}";

    // The policy a service config selects (the one in use); a bad config throws ServiceConfigException (exit 2).
    private static string PolicyIn(string serviceConfig)
        => Balancing.LoadBalancerRegistry.CreateDefault().SelectPolicy(Configuration.ServiceConfig.Parse(serviceConfig)).PolicyName;

    /// <summary>Lists a service's instances in a registry, and the entries it skipped with the reason for each.</summary>
    public static async Task<int> ListAsync(IAnsiConsole console, string service, string registry)
    {
        await using var opened = Etcd.RegistryUri.Open(registry);
        Discovery.RegistryListing listing;
        try
        {
            listing = await opened.Discovery.InspectAsync(service);
        }
        catch (RpcException ex)
        {
            throw new ServiceUnreachableException($"registry {registry} cannot be reached: {ex.StatusCode}: {ex.Status.Detail}", ex);
        }

        var table = new Table().AddColumns("id", "version", "endpoints", "metadata");
        foreach (var instance in listing.Instances)
        {
            table.AddRow(
                Markup.Escape(instance.Id),
                Markup.Escape(instance.Version),
                Markup.Escape(string.Join("; ", instance.Endpoints)),
                Markup.Escape(string.Join(", ", instance.Metadata.Select(m => $"{m.Key}={m.Value}"))));
        }

        console.MarkupLineInterpolated($"{service} in {registry}: {listing.Instances.Count} instance(s)");
        console.Write(table);
        if (listing.Skipped.Count > 0)
        {
            console.MarkupLineInterpolated($"[yellow]{listing.Skipped.Count} entr{(listing.Skipped.Count == 1 ? "y" : "ies")} skipped:[/]");
            foreach (var skipped in listing.Skipped)
            {
                console.MarkupLineInterpolated($"  [yellow]{skipped.Location}: {skipped.Reason}[/]");
            }
        }

        return 0;
    }

    // Every command understands registry:/// (the file registry by default) and, with --registry etcd://..., etcd:///.
    private static (ResolverRegistry Resolvers, IAsyncDisposable? Owner) Resolvers(string target, string registry)
    {
        var opened = Etcd.RegistryUri.Open(registry);
        if (target.StartsWith("etcd:", StringComparison.OrdinalIgnoreCase) && opened.Scheme != "etcd")
        {
            throw new ArgumentException($"Target '{target}' needs an etcd registry: add --registry etcd://host:port.");
        }

        return (ResolverRegistry.CreateDefault().Register(opened.CreateResolverProvider()), opened);
    }
}
