using Grpc.Examples.Echo;
using Proxyless.Resolution;
using Proxyless.Tests.Support;
using Proxyless.Xds;
using Proxyless.Xds.Bootstrap;
using Proxyless.Xds.ControlPlane;
using static Proxyless.Xds.ControlPlane.XdsResources;

namespace Proxyless.Tests.Functional.Xds;

/// <summary>
/// <c>xds:///</c> channels end to end: the repo's control plane serves listener, routes, clusters and endpoints for
/// echo backends on loopback, and the calls' distribution follows weighted clusters, locality weights and priorities.
/// </summary>
public class XdsChannelTests
{
    private const int Calls = 2000;

    private static System.Net.IPEndPoint EndPoint(Proxyless.Examples.EchoBackend backend) => (System.Net.IPEndPoint)backend.EndPoint;

    private static BalancedChannel Channel(XdsControlPlane plane, string target = "xds:///greeter") => BalancedChannel.Create(target, new BalancedChannelOptions
    {
        Resolvers = ResolverRegistry.CreateDefault().AddXds(Bootstrap(plane.ServerUri)),
    });

    // Cluster a is backend 0, cluster b backend 1; the route splits calls between them as given.
    private static void SetTwoClusters(XdsControlPlane plane, BackendSet backends, params (string Cluster, uint Weight)[] route) => plane.SetSnapshot([
        Listener("greeter", "greeter-routes"),
        Routes("greeter-routes", route),
        EdsCluster("a"), EdsCluster("b"),
        Endpoints("a", ("z", 1, 0, [EndPoint(backends[0])])),
        Endpoints("b", ("z", 1, 0, [EndPoint(backends[1])])),
    ]);

    private static async Task<string> CallAsync(Echo.EchoClient client)
    {
        var reply = await client.UnaryEchoAsync(new EchoRequest { Message = "hi" }, deadline: DateTime.UtcNow.AddSeconds(10));
        return reply.Message;
    }

    // Share of calls per backend, in percent.
    private static async Task<double[]> SharesAsync(Echo.EchoClient client, BackendSet backends, int calls = Calls)
    {
        var counts = new int[backends.Count];
        for (var i = 0; i < calls; i++)
        {
            var reply = await CallAsync(client);
            var index = backends.All.ToList().FindIndex(b => reply.EndsWith($"(from {b.Address})", StringComparison.Ordinal));
            Assert.True(index >= 0, reply);
            counts[index]++;
        }

        return counts.Select(c => 100.0 * c / calls).ToArray();
    }

    private static void AssertShares(double[] expected, double[] actual)
    {
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 3, $"backend {i}: expected {expected[i]}%, got {actual[i]:0.0}% (all: {string.Join(", ", actual.Select(a => a.ToString("0.0")))})");
        }
    }

    [Fact]
    public async Task WeightedClustersSplitCallsByWeight()
    {
        await using var backends = await BackendSet.StartAsync(2);
        await using var plane = await XdsControlPlane.StartAsync();
        SetTwoClusters(plane, backends, ("a", 90), ("b", 10));
        using var channel = Channel(plane);

        AssertShares([90, 10], await SharesAsync(new Echo.EchoClient(channel), backends));
    }

    [Fact]
    public async Task LocalitiesShareCallsByTheirWeights()
    {
        await using var backends = await BackendSet.StartAsync(3);
        await using var plane = await XdsControlPlane.StartAsync();
        plane.SetSnapshot([
            Listener("greeter", "greeter-routes"),
            Routes("greeter-routes", ("a", 1)),
            EdsCluster("a"),
            Endpoints("a", ("z1", 3, 0, [EndPoint(backends[0]), EndPoint(backends[1])]), ("z2", 1, 0, [EndPoint(backends[2])])),
        ]);
        using var channel = Channel(plane);

        // 3:1 between the localities, round robin within z1.
        AssertShares([37.5, 37.5, 25], await SharesAsync(new Echo.EchoClient(channel), backends));
    }

    [Fact]
    public async Task ALowerPriorityTakesOverWhenTheHigherFailsAndGivesTrafficBack()
    {
        await using var backends = await BackendSet.StartAsync(2);
        await using var plane = await XdsControlPlane.StartAsync();
        plane.SetSnapshot([
            Listener("greeter", "greeter-routes"),
            Routes("greeter-routes", ("a", 1)),
            EdsCluster("a"),
            Endpoints("a", ("primary", 1, 0, [EndPoint(backends[0])]), ("secondary", 1, 1, [EndPoint(backends[1])])),
        ]);
        using var channel = Channel(plane);
        var client = new Echo.EchoClient(channel);
        AssertShares([100, 0], await SharesAsync(client, backends, 50));

        await backends[0].StopAsync();
        await Eventually.TrueAsync(async () => (await CallAsync(client)).EndsWith($"(from {backends[1].Address})", StringComparison.Ordinal), "calls fail over to priority 1");
        AssertShares([0, 100], await SharesAsync(client, backends, 50));

        await backends.RestartAsync(0);
        await Eventually.TrueAsync(async () => (await CallAsync(client)).EndsWith($"(from {backends[0].Address})", StringComparison.Ordinal), "calls return to priority 0");
    }

    [Fact]
    public async Task ARouteChangePushedByTheControlPlaneMovesTheTraffic()
    {
        await using var backends = await BackendSet.StartAsync(2);
        await using var plane = await XdsControlPlane.StartAsync();
        SetTwoClusters(plane, backends, ("a", 1));
        using var channel = Channel(plane);
        var client = new Echo.EchoClient(channel);
        AssertShares([100, 0], await SharesAsync(client, backends, 50));

        plane.SetResource(Routes("greeter-routes", ("b", 1)));
        await Eventually.TrueAsync(async () => (await CallAsync(client)).EndsWith($"(from {backends[1].Address})", StringComparison.Ordinal), "the new route takes effect");
        AssertShares([0, 100], await SharesAsync(client, backends, 50));
    }

    [Fact]
    public async Task RouteChangesUnderLoadFailNoCall()
    {
        await using var backends = await BackendSet.StartAsync(2);
        await using var plane = await XdsControlPlane.StartAsync();
        SetTwoClusters(plane, backends, ("a", 1));
        using var channel = Channel(plane);
        var client = new Echo.EchoClient(channel);
        await CallAsync(client);

        // Eight callers run while the route flips between the clusters ten times; every call must succeed.
        using var stop = new CancellationTokenSource();
        var failures = new System.Collections.Concurrent.ConcurrentQueue<Exception>();
        var latest = new string[1];
        var callers = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    Volatile.Write(ref latest[0], await CallAsync(client));
                }
                catch (RpcException ex)
                {
                    failures.Enqueue(ex);
                }
            }
        })).ToArray();

        for (var flip = 1; flip <= 10; flip++)
        {
            var target = flip % 2 == 1 ? 1 : 0;
            plane.SetResource(Routes("greeter-routes", (target == 1 ? "b" : "a", 1)));
            await Eventually.TrueAsync(() => Volatile.Read(ref latest[0])?.EndsWith($"(from {backends[target].Address})", StringComparison.Ordinal) == true, $"flip {flip} takes effect");
        }

        await stop.CancelAsync();
        await Task.WhenAll(callers);
        Assert.Empty(failures);
    }

    [Fact]
    public async Task CallsKeepFlowingWhileTheControlPlaneIsDown()
    {
        await using var backends = await BackendSet.StartAsync(2);
        var plane = await XdsControlPlane.StartAsync();
        plane.SetSnapshot([
            Listener("greeter", "greeter-routes"),
            Routes("greeter-routes", ("a", 1)),
            EdsCluster("a"),
            Endpoints("a", ("z", 1, 0, [EndPoint(backends[0]), EndPoint(backends[1])])),
        ]);
        using var channel = Channel(plane);
        var client = new Echo.EchoClient(channel);
        AssertShares([50, 50], await SharesAsync(client, backends, 200));

        await plane.DisposeAsync();
        AssertShares([50, 50], await SharesAsync(client, backends, 200));
    }

    [Fact]
    public async Task DropOverloadsFailCallsWithTheirCategory()
    {
        await using var backends = await BackendSet.StartAsync(1);
        await using var plane = await XdsControlPlane.StartAsync();
        var endpoints = (Envoy.Config.Endpoint.V3.ClusterLoadAssignment)Endpoints("a", ("z", 1, 0, [EndPoint(backends[0])]));
        endpoints.Policy = new() { DropOverloads = { new Envoy.Config.Endpoint.V3.ClusterLoadAssignment.Types.Policy.Types.DropOverload { Category = "throttle", DropPercentage = new() { Numerator = 100 } } } };
        plane.SetSnapshot([Listener("greeter", "greeter-routes"), Routes("greeter-routes", ("a", 1)), EdsCluster("a"), endpoints]);
        using var channel = Channel(plane);

        var error = await Assert.ThrowsAsync<RpcException>(() => CallAsync(new Echo.EchoClient(channel)));
        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        Assert.Contains("dropped by the load balancing policy of cluster a: category throttle", error.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(0, backends[0].State.Calls);
    }

    [Fact]
    public async Task MaxRequestsFailsCallsBeyondTheClustersCircuitBreaker()
    {
        await using var backends = await BackendSet.StartAsync(1, (_, o) => o.UnaryDelay = TimeSpan.FromSeconds(1));
        await using var plane = await XdsControlPlane.StartAsync();
        var cluster = (Envoy.Config.Cluster.V3.Cluster)EdsCluster("a");
        cluster.CircuitBreakers = new() { Thresholds = { new Envoy.Config.Cluster.V3.CircuitBreakers.Types.Thresholds { MaxRequests = 1 } } };
        plane.SetSnapshot([Listener("greeter", "greeter-routes"), Routes("greeter-routes", ("a", 1)), cluster, Endpoints("a", ("z", 1, 0, [EndPoint(backends[0])]))]);
        using var channel = Channel(plane);
        var client = new Echo.EchoClient(channel);
        await channel.ConnectAsync();
        await Eventually.ReadyAsync(channel, 1, "the backend is connected");

        var first = CallAsync(client);
        await Eventually.TrueAsync(() => backends[0].State.Calls == 1 || first.IsCompleted, "the first call reaches the backend");
        var error = await Assert.ThrowsAsync<RpcException>(() => CallAsync(client));
        Assert.Contains("cluster a has 1 calls in flight, its circuit breaker's max_requests", error.Status.Detail, StringComparison.Ordinal);

        await first; // the slot frees when the call ends
        Assert.StartsWith("hi (from", await CallAsync(client), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnAggregateClusterFallsBackFromAnEdsClusterToALogicalDnsCluster()
    {
        await using var backends = await BackendSet.StartAsync(1);
        await using var plane = await XdsControlPlane.StartAsync();
        var aggregate = new Envoy.Config.Cluster.V3.Cluster
        {
            Name = "greeter",
            ClusterType = new()
            {
                Name = "envoy.clusters.aggregate",
                TypedConfig = Google.Protobuf.WellKnownTypes.Any.Pack(new Envoy.Extensions.Clusters.Aggregate.V3.ClusterConfig { Clusters = { "primary", "by-dns" } }),
            },
        };
        var dns = new Envoy.Config.Cluster.V3.Cluster
        {
            Name = "by-dns",
            Type = Envoy.Config.Cluster.V3.Cluster.Types.DiscoveryType.LogicalDns,
            LoadAssignment = (Envoy.Config.Endpoint.V3.ClusterLoadAssignment)Endpoints("by-dns", ("z", 1, 0, [EndPoint(backends[0])])),
        };
        dns.LoadAssignment.Endpoints[0].LbEndpoints[0].Endpoint.Address.SocketAddress.Address = "localhost";
        plane.SetSnapshot([
            Listener("greeter", "greeter-routes"),
            Routes("greeter-routes", ("greeter", 1)),
            aggregate,
            EdsCluster("primary"),
            Endpoints("primary", ("z", 1, 0, [new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 9)])), // nothing listens
            dns,
        ]);
        using var channel = Channel(plane);

        // primary cannot connect, so its priority fails over to the next: the DNS cluster's localhost:port.
        Assert.Equal($"hi (from {backends[0].Address})", await CallAsync(new Echo.EchoClient(channel)));
    }

    [Fact]
    public async Task ARoutesHashPolicyKeepsEachUserOnOneBackendOfARingHashCluster()
    {
        await using var backends = await BackendSet.StartAsync(3);
        await using var plane = await XdsControlPlane.StartAsync();
        var routes = (Envoy.Config.Route.V3.RouteConfiguration)Routes("greeter-routes", ("a", 1));
        routes.VirtualHosts[0].Routes[0].Route_.HashPolicy.Add(new Envoy.Config.Route.V3.RouteAction.Types.HashPolicy { Header = new() { HeaderName = "x-user" } });
        var cluster = (Envoy.Config.Cluster.V3.Cluster)EdsCluster("a");
        cluster.LbPolicy = Envoy.Config.Cluster.V3.Cluster.Types.LbPolicy.RingHash;
        plane.SetSnapshot([Listener("greeter", "greeter-routes"), routes, cluster, Endpoints("a", ("z", 1, 0, backends.All.Select(EndPoint).ToArray()))]);
        using var channel = Channel(plane);
        var client = new Echo.EchoClient(channel);
        await channel.ConnectAsync();

        var backendOfUser = new Dictionary<string, HashSet<string>>();
        for (var round = 0; round < 5; round++)
        {
            for (var user = 0; user < 20; user++)
            {
                var reply = await client.UnaryEchoAsync(new EchoRequest { Message = "hi" }, new Metadata { { "x-user", $"user-{user}" } }, DateTime.UtcNow.AddSeconds(10));
                (backendOfUser.TryGetValue($"user-{user}", out var seen) ? seen : backendOfUser[$"user-{user}"] = []).Add(reply.Message);
            }
        }

        Assert.All(backendOfUser, u => Assert.Single(u.Value)); // each user always on one backend
        Assert.True(backendOfUser.Values.Select(v => v.Single()).Distinct().Count() > 1, "users spread over more than one backend");
    }

    [Theory]
    [InlineData("route", true)] // the route's max_stream_duration caps a call without a deadline
    [InlineData("listener", true)] // the HCM's, when the route sets none
    [InlineData("header-max-zero", false)] // grpc_timeout_header_max 0: the application's (absent) deadline stands
    public async Task AMaxStreamDurationEndsCallsThatRunLonger(string where, bool capped)
    {
        await using var backends = await BackendSet.StartAsync(1, (_, o) => o.UnaryDelay = TimeSpan.FromSeconds(1));
        await using var plane = await XdsControlPlane.StartAsync();
        var listener = (Envoy.Config.Listener.V3.Listener)Listener("greeter", "greeter-routes");
        var routes = (Envoy.Config.Route.V3.RouteConfiguration)Routes("greeter-routes", ("a", 1));
        var action = routes.VirtualHosts[0].Routes[0].Route_;
        var limit = Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(TimeSpan.FromMilliseconds(200));
        switch (where)
        {
            case "route":
                action.MaxStreamDuration = new() { MaxStreamDuration_ = limit };
                break;
            case "listener":
                var hcm = listener.ApiListener.ApiListener_.Unpack<Envoy.Extensions.Filters.Network.HttpConnectionManager.V3.HttpConnectionManager>();
                hcm.CommonHttpProtocolOptions = new() { MaxStreamDuration = limit };
                listener.ApiListener.ApiListener_ = Google.Protobuf.WellKnownTypes.Any.Pack(hcm);
                break;
            default:
                action.MaxStreamDuration = new() { MaxStreamDuration_ = limit, GrpcTimeoutHeaderMax = new() };
                break;
        }

        plane.SetSnapshot([listener, routes, EdsCluster("a"), Endpoints("a", ("z", 1, 0, [EndPoint(backends[0])]))]);
        using var channel = Channel(plane);
        var client = new Echo.EchoClient(channel);

        if (capped)
        {
            var error = await Assert.ThrowsAsync<RpcException>(() => client.UnaryEchoAsync(new EchoRequest { Message = "slow" }).ResponseAsync);
            Assert.Equal(StatusCode.DeadlineExceeded, error.StatusCode);
        }
        else
        {
            Assert.StartsWith("slow (from", (await client.UnaryEchoAsync(new EchoRequest { Message = "slow" })).Message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData(3u, true, 3)] // two failures, then the third attempt succeeds
    [InlineData(1u, false, 2)] // one retry: both attempts fail
    [InlineData(0u, false, 1)] // no retry policy: the first failure is the call's
    public async Task ARoutesRetryPolicyRetriesUnavailableCalls(uint retries, bool succeeds, int attempts)
    {
        var failuresLeft = 2;
        await using var backends = await BackendSet.StartAsync(1, (_, o) => o.OnCall = _ =>
        {
            if (Interlocked.Decrement(ref failuresLeft) >= 0)
            {
                throw new RpcException(new Status(StatusCode.Unavailable, "not yet"));
            }
        });
        await using var plane = await XdsControlPlane.StartAsync();
        var routes = (Envoy.Config.Route.V3.RouteConfiguration)Routes("greeter-routes", ("a", 1));
        if (retries > 0)
        {
            routes.VirtualHosts[0].Routes[0].Route_.RetryPolicy = new()
            {
                RetryOn = "unavailable",
                NumRetries = retries,
                RetryBackOff = new() { BaseInterval = Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(TimeSpan.FromMilliseconds(10)) },
            };
        }

        plane.SetSnapshot([Listener("greeter", "greeter-routes"), routes, EdsCluster("a"), Endpoints("a", ("z", 1, 0, [EndPoint(backends[0])]))]);
        using var channel = Channel(plane);
        var client = new Echo.EchoClient(channel);
        await channel.ConnectAsync();

        if (succeeds)
        {
            Assert.StartsWith("hi (from", await CallAsync(client), StringComparison.Ordinal);
        }
        else
        {
            var error = await Assert.ThrowsAsync<RpcException>(() => CallAsync(client));
            Assert.Equal((StatusCode.Unavailable, "not yet"), (error.StatusCode, error.Status.Detail));
        }

        Assert.Equal(attempts, backends[0].State.Calls);
    }

    [Fact]
    public async Task UnhealthyAndDrainingEndpointsGetNoCallsInAClusterWithOutlierDetection()
    {
        await using var backends = await BackendSet.StartAsync(3);
        await using var plane = await XdsControlPlane.StartAsync();
        var cluster = (Envoy.Config.Cluster.V3.Cluster)EdsCluster("a");
        cluster.OutlierDetection = new() { Interval = Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(TimeSpan.FromSeconds(10)), EnforcingFailurePercentage = 100 };
        var endpoints = (Envoy.Config.Endpoint.V3.ClusterLoadAssignment)Endpoints("a", ("z", 1, 0, backends.All.Select(EndPoint).ToArray()));
        endpoints.Endpoints[0].LbEndpoints[1].HealthStatus = Envoy.Config.Core.V3.HealthStatus.Unhealthy;
        endpoints.Endpoints[0].LbEndpoints[2].HealthStatus = Envoy.Config.Core.V3.HealthStatus.Draining;
        plane.SetSnapshot([Listener("greeter", "greeter-routes"), Routes("greeter-routes", ("a", 1)), cluster, endpoints]);
        using var channel = Channel(plane);

        // cds wraps round robin in outlier_detection (a config it could not parse would fail every call); the
        // UNHEALTHY and DRAINING endpoints get nothing.
        AssertShares([100, 0, 0], await SharesAsync(new Echo.EchoClient(channel), backends, 50));
    }

    [Fact]
    public async Task AMissingListenerFailsCallsNamingIt()
    {
        await using var plane = await XdsControlPlane.StartAsync();
        plane.SetSnapshot([]);
        using var channel = Channel(plane);

        var error = await Assert.ThrowsAsync<RpcException>(() => CallAsync(new Echo.EchoClient(channel)));
        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        Assert.Contains("listener greeter: LDS resource greeter does not exist", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void ABadBootstrapFailsCreateNamingTheField()
    {
        var error = Assert.Throws<XdsBootstrapException>(() => ResolverRegistry.CreateDefault().AddXds("""{"xds_servers": [{"server_uri": "x", "channel_creds": [{"type": "google_default"}]}]}"""));
        Assert.Contains("xds_servers[0].channel_creds", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheDefaultRegistriesKnowXdsBecauseThePackageIsReferenced()
    {
        Assert.Contains("xds", ResolverRegistry.CreateDefault().Schemes);
        Assert.Contains("xds_cluster_manager_experimental", Proxyless.Balancing.LoadBalancerRegistry.CreateDefault().PolicyNames);
    }
}
