using System.Net;
using System.Text;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Proxyless.Resolution;
using Proxyless.Tests.Support;
using Proxyless.Tests.Unit.Xds;
using Proxyless.Xds;
using Proxyless.Xds.ControlPlane;
using Proxyless.Xds.Resources;
using Xunit.Abstractions;
using static Proxyless.Xds.ControlPlane.XdsResources;

namespace Proxyless.Tests.Interop;

/// <summary>
/// Proxyless next to two xDS clients we did not write, on the same control plane: grpc-js with @grpc/grpc-js-xds
/// 1.14 (npm) and Python grpcio 1.51 (Debian's, gRPC C-core). They accept and reject the same corpus resources, and
/// split calls the same way under weighted clusters, locality weights and priorities.
/// </summary>
public class XdsInteropTests(ITestOutputHelper output)
{
    private static readonly ForeignXdsClient.Kind[] Foreign = [ForeignXdsClient.Kind.GrpcJs, ForeignXdsClient.Kind.GrpcPython];

    /// <summary>Corpus entries on which a foreign client's verdict differs from gRPC's current rules, and why.</summary>
    private static readonly Dictionary<(ForeignXdsClient.Kind, string), string> KnownDifferences = new()
    {
        // grpc-js 1.14 (@grpc/grpc-js-xds 1.14.1)
        [(ForeignXdsClient.Kind.GrpcJs, "cds-least-request")] = "NACK: grpc-js-xds does not support lb_policy LEAST_REQUEST (A48)",
        [(ForeignXdsClient.Kind.GrpcJs, "cds-policy-wrr")] = "NACK: grpc-js has no client_side_weighted_round_robin (A58)",
        [(ForeignXdsClient.Kind.GrpcJs, "eds-zero-endpoint-weight")] = "ACK: grpc-js does not check endpoint weights (grpc-go and C-core reject 0)",
        [(ForeignXdsClient.Kind.GrpcJs, "lds-no-filters")] = "ACK: grpc-js accepts an empty filter chain (A39 requires the router last; grpc-go rejects it)",
        [(ForeignXdsClient.Kind.GrpcJs, "lds-rds-empty-name")] = "ACK: grpc-js does not check route_config_name (grpc-go rejects it)",
        [(ForeignXdsClient.Kind.GrpcJs, "lds-router-then-optional")] = "NACK: grpc-js wants the router last in the list as sent; grpc-go (and Proxyless) skip unknown optional filters first",
        [(ForeignXdsClient.Kind.GrpcJs, "lds-xff-trusted-hops")] = "ACK: grpc-js does not implement A41's HCM checks",
        [(ForeignXdsClient.Kind.GrpcJs, "rds-header-string-match-empty")] = "ACK: grpc-js does not check string_match has a pattern",
        [(ForeignXdsClient.Kind.GrpcJs, "rds-non-forwarding")] = "crash: the grpc-js process exits with an exception from its xDS client on a non-forwarding route action",
        [(ForeignXdsClient.Kind.GrpcJs, "rds-optional-plugin")] = "NACK: grpc-js does not implement cluster specifier plugins, not even the optional-plugin rule (A28)",
        [(ForeignXdsClient.Kind.GrpcJs, "rds-path-regex-invalid")] = "crash: grpc-js does not check RE2 syntax; it ACKs, then its resolver throws building the route table and the process exits",

        // Python grpcio 1.51 (Debian 12's, gRPC C-core 1.51)
        [(ForeignXdsClient.Kind.GrpcPython, "cds-aggregate-empty")] = "ACK: C-core 1.51 accepts an aggregate cluster with no clusters (grpc-go rejects it)",
        [(ForeignXdsClient.Kind.GrpcPython, "cds-least-request")] = "NACK: least_request (A48) is newer than C-core 1.51",
        [(ForeignXdsClient.Kind.GrpcPython, "cds-policy-wrr")] = "NACK: client_side_weighted_round_robin (A58) is newer than C-core 1.51",
        [(ForeignXdsClient.Kind.GrpcPython, "cds-ring-hash")] = "crash: the C-core 1.51 process exits right after it receives this RING_HASH cluster",
        [(ForeignXdsClient.Kind.GrpcPython, "lds-rds-empty-name")] = "ACK: C-core 1.51 does not check route_config_name (grpc-go rejects it)",
        [(ForeignXdsClient.Kind.GrpcPython, "rds-header-matchers")] = "NACK: string_match header matchers (A63) are newer than C-core 1.51",
        [(ForeignXdsClient.Kind.GrpcPython, "rds-retry-zero-base-interval")] = "ACK: C-core 1.51 accepts a base_interval of 0 (A44 says it must be above 0)",
    };

    [Fact]
    public async Task TheThreeClientsAckAndNackTheSameCorpusResources()
    {
        await using var plane = await XdsControlPlane.StartAsync();
        plane.SetSnapshot(Scaffold(XdsCorpus.Load("lds-rds-ads")));
        using var proxyless = BalancedChannel.Create("xds:///greeter", new BalancedChannelOptions { Resolvers = ResolverRegistry.CreateDefault().AddXds(Bootstrap(plane.ServerUri, "proxyless")) });
        _ = proxyless.ConnectAsync();
        var foreign = new Dictionary<ForeignXdsClient.Kind, ForeignXdsClient>();
        foreach (var kind in Foreign)
        {
            foreign[kind] = await ForeignXdsClient.WatchAsync(kind, Bootstrap(plane.ServerUri, ForeignXdsClient.NodeId(kind)), "xds:///greeter");
        }

        try
        {
            await RunCorpusAsync(plane, foreign);
        }
        finally
        {
            foreach (var client in foreign.Values)
            {
                client.Dispose();
            }
        }
    }

    private async Task RunCorpusAsync(XdsControlPlane plane, Dictionary<ForeignXdsClient.Kind, ForeignXdsClient> foreign)
    {
        // All three are subscribed and answering before the corpus starts.
        foreach (var node in new[] { "proxyless", ForeignXdsClient.NodeId(ForeignXdsClient.Kind.GrpcJs), ForeignXdsClient.NodeId(ForeignXdsClient.Kind.GrpcPython) })
        {
            using var start = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                await plane.WaitForReplyAsync(r => r.NodeId == node && r.TypeUrl == XdsTypeUrls.ClusterLoadAssignment, start.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"{node} did not ACK the first endpoints; replies so far:\n{string.Join("\n", plane.Replies)}");
            }
        }

        var nodes = new[] { "proxyless", ForeignXdsClient.NodeId(ForeignXdsClient.Kind.GrpcJs), ForeignXdsClient.NodeId(ForeignXdsClient.Kind.GrpcPython) };
        var verdicts = new Dictionary<(string Entry, string Node), string>();
        string? previous = null;
        foreach (var name in XdsCorpus.Names)
        {
            // A client that died since the last entry died of it (some crash after answering): note it, restart it.
            foreach (var kind in Foreign)
            {
                if (foreign[kind].HasExited)
                {
                    verdicts[(previous!, ForeignXdsClient.NodeId(kind))] = $"crashed ({foreign[kind].ErrorTail})";
                    foreign[kind].Dispose();
                    foreign[kind] = await ForeignXdsClient.WatchAsync(kind, Bootstrap(plane.ServerUri, ForeignXdsClient.NodeId(kind)), "xds:///greeter");
                }
            }

            var entry = XdsCorpus.Load(name);
            var resourceName = ResourceStore.NameOf(entry.Resource);
            plane.SetSnapshot(Scaffold(entry));
            var version = plane.Version(entry.Resource.TypeUrl);
            foreach (var node in nodes)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                try
                {
                    var reply = await plane.WaitForReplyAsync(r => r.NodeId == node && r.TypeUrl == entry.Resource.TypeUrl && r.ResponseVersion == version && r.ResourceNames.Contains(resourceName), timeout.Token);
                    verdicts[(name, node)] = reply.Accepted ? "ACK" : "NACK";
                }
                catch (OperationCanceledException)
                {
                    verdicts[(name, node)] = "no reply";
                }
            }

            // Where a crash is known, give the process the time to die of this entry.
            foreach (var kind in Foreign)
            {
                if (KnownDifferences.TryGetValue((kind, name), out var known) && known.StartsWith("crash", StringComparison.Ordinal))
                {
                    await foreign[kind].WaitForExitAsync(TimeSpan.FromSeconds(5));
                }
            }

            previous = name;
        }

        foreach (var kind in Foreign)
        {
            if (foreign[kind].HasExited)
            {
                verdicts[(previous!, ForeignXdsClient.NodeId(kind))] = $"crashed ({foreign[kind].ErrorTail})";
            }
        }

        var table = new StringBuilder();
        var mismatches = new List<string>();
        foreach (var name in XdsCorpus.Names)
        {
            var expected = XdsCorpus.Load(name).Accepted ? "ACK" : "NACK";
            foreach (var node in nodes)
            {
                var verdict = verdicts[(name, node)];
                var client = node == "proxyless" ? (ForeignXdsClient.Kind?)null : node == "grpc-js" ? ForeignXdsClient.Kind.GrpcJs : ForeignXdsClient.Kind.GrpcPython;
                var known = client is { } k && KnownDifferences.TryGetValue((k, name), out var reason) ? reason : null;
                if (verdict != expected && (known is null || !verdict.StartsWith(known.Split(':')[0], StringComparison.Ordinal)))
                {
                    mismatches.Add($"{name}: {node} {verdict}, expected {expected}{(known is null ? "" : $" or the known difference \"{known}\"")}");
                }
                else if (verdict == expected && known is not null)
                {
                    mismatches.Add($"{name}: {node} now gives the expected {expected}; remove its known difference");
                }
            }

            table.AppendLine($"{name,-36} expected {expected,-5} proxyless {verdicts[(name, nodes[0])],-8} grpc-js {verdicts[(name, nodes[1])],-8} grpc-python {verdicts[(name, nodes[2])]}");
        }

        output.WriteLine(table.ToString());
        Assert.True(mismatches.Count == 0, string.Join("\n", mismatches) + "\n\n" + table);
    }

    [Fact]
    public async Task TheThreeClientsSplitCallsAlikeUnderWeightedClustersLocalitiesAndPriorities()
    {
        await using var backends = await BackendSet.StartAsync(3);
        await using var plane = await XdsControlPlane.StartAsync();
        IPEndPoint At(int i) => (IPEndPoint)backends[i].EndPoint;
        var dead = new IPEndPoint(IPAddress.Loopback, 9); // nothing listens: priority 0 fails

        // Weighted clusters 90/10; in cluster a, localities 3:1.
        plane.SetSnapshot([
            Listener("greeter", "routes"),
            Routes("routes", ("a", 90), ("b", 10)),
            EdsCluster("a"), EdsCluster("b"),
            Endpoints("a", ("z1", 3, 0, [At(0)]), ("z2", 1, 0, [At(1)])),
            Endpoints("b", ("z1", 1, 0, [At(2)])),
        ]);
        await CompareAsync(plane, backends, [67.5, 22.5, 10]);

        // Priority 0 cannot connect; priority 1 splits 1:1 between its localities.
        plane.SetSnapshot([
            Listener("greeter", "routes"),
            Routes("routes", ("a", 1)),
            EdsCluster("a"),
            Endpoints("a", ("z0", 1, 0, [dead]), ("z1", 1, 1, [At(1)]), ("z2", 1, 1, [At(2)])),
        ]);
        await CompareAsync(plane, backends, [0, 50, 50]);
    }

    private async Task CompareAsync(XdsControlPlane plane, BackendSet backends, double[] expected)
    {
        const int Calls = 4000;
        var results = new Dictionary<string, (Dictionary<string, int> Counts, int Failures, string Errors)>();
        using (var channel = BalancedChannel.Create("xds:///greeter", new BalancedChannelOptions { Resolvers = ResolverRegistry.CreateDefault().AddXds(Bootstrap(plane.ServerUri, "proxyless")) }))
        {
            var client = new Grpc.Examples.Echo.Echo.EchoClient(channel);
            var counts = new Dictionary<string, int>();
            var failures = 0;
            for (var i = 0; i < Calls; i++)
            {
                try
                {
                    var reply = (await client.UnaryEchoAsync(new Grpc.Examples.Echo.EchoRequest { Message = "hi" }, deadline: DateTime.UtcNow.AddSeconds(10))).Message;
                    var from = reply[(reply.LastIndexOf("(from ", StringComparison.Ordinal) + 6)..^1];
                    counts[from] = counts.GetValueOrDefault(from) + 1;
                }
                catch (RpcException)
                {
                    failures++;
                }
            }

            results["proxyless"] = (counts, failures, "");
        }

        foreach (var kind in Foreign)
        {
            results[ForeignXdsClient.NodeId(kind)] = await ForeignXdsClient.CallAsync(kind, Bootstrap(plane.ServerUri, ForeignXdsClient.NodeId(kind)), "xds:///greeter", Calls);
        }

        var problems = new List<string>();
        foreach (var (client, (counts, failures, errors)) in results)
        {
            var shares = backends.All.Select(b => 100.0 * counts.GetValueOrDefault(b.Address) / Calls).ToArray();
            output.WriteLine($"{client,-12} {string.Join("  ", shares.Select(s => $"{s,5:0.0}%"))}  failed {failures} {errors}");
            for (var i = 0; i < expected.Length; i++)
            {
                if (Math.Abs(shares[i] - expected[i]) > 3)
                {
                    problems.Add($"{client}: backend {i} got {shares[i]:0.0}%, expected {expected[i]}%");
                }
            }

            if (failures > 0)
            {
                problems.Add($"{client}: {failures} calls failed: {errors}");
            }
        }

        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    // The entry plus what a client needs to subscribe to it: a listener for "greeter", its routes, the cluster they
    // name and that cluster's endpoints; the entry replaces the one of its type.
    private static IMessage[] Scaffold(XdsCorpus.Entry entry)
    {
        var type = entry.Resource.TypeUrl;
        var cluster = type == XdsTypeUrls.Cluster ? ResourceStore.NameOf(entry.Resource) : "greeter-cluster";
        var resources = new List<IMessage> { entry.Resource };
        if (type != XdsTypeUrls.Listener)
        {
            resources.Add(Listener("greeter", "greeter-routes"));
        }

        if (type != XdsTypeUrls.RouteConfiguration)
        {
            resources.Add(Routes("greeter-routes", (cluster, 1)));
        }

        if (type != XdsTypeUrls.Cluster)
        {
            resources.Add(EdsCluster("greeter-cluster"));
        }

        if (type != XdsTypeUrls.ClusterLoadAssignment)
        {
            resources.Add(Endpoints("greeter-cluster", ("z", 1, 0, [new IPEndPoint(IPAddress.Loopback, 9)])));
        }

        return [.. resources];
    }
}
