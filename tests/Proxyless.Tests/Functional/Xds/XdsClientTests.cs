using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Proxyless.Balancing;
using Proxyless.Configuration;
using Proxyless.Tests.Support;
using Proxyless.Tests.Unit.Xds;
using Proxyless.Xds.Bootstrap;
using Proxyless.Xds.Client;
using Proxyless.Xds.ControlPlane;
using Proxyless.Xds.Resources;

namespace Proxyless.Tests.Functional.Xds;

/// <summary>
/// The xDS client against the repo's control plane on loopback: subscriptions, ACK and NACK as the server records them,
/// pushes, deletion, the does-not-exist timer (on a fake clock) and a control plane that goes away and comes back.
/// </summary>
public class XdsClientTests
{
    private static XdsClient CreateClient(XdsControlPlane plane, TimeProvider? time = null, string nodeId = "proxyless-test", params string[] features)
    {
        var server = new XdsServerConfig(plane.ServerUri, new XdsChannelCredentials("insecure"), features);
        var client = new XdsClient(
            server,
            new XdsNode(nodeId, "test-cluster", "", "", "", null),
            new XdsDecodeContext(LoadBalancerRegistry.CreateDefault()),
            time ?? TimeProvider.System,
            NullLogger.Instance,
            new BackoffOptions { InitialBackoff = TimeSpan.FromMilliseconds(20), MaxBackoff = TimeSpan.FromMilliseconds(100) });
        client.Start();
        return client;
    }

    private static Any Resource(string corpusName) => XdsCorpus.Load(corpusName).Resource;

    private static Any Cluster(string name, Action<Envoy.Config.Cluster.V3.Cluster>? change = null)
    {
        var cluster = Resource("cds-eds-ads").Unpack<Envoy.Config.Cluster.V3.Cluster>();
        cluster.Name = name;
        change?.Invoke(cluster);
        return Any.Pack(cluster);
    }

    [Fact]
    public async Task AWatchedResourceIsDeliveredAndAckedWithTheNode()
    {
        await using var plane = await XdsControlPlane.StartAsync();
        plane.SetSnapshot([Resource("lds-rds-ads")]);
        await using var client = CreateClient(plane, nodeId: "node-a");
        var watcher = new RecordingXdsWatcher();
        using var watch = client.Watch(XdsResourceTypes.Listener, "greeter", watcher);

        var listener = await watcher.NextResourceAsync<XdsListener>();
        Assert.Equal("greeter-routes", listener.RouteConfigName);

        var reply = await plane.WaitForReplyAsync(r => r.TypeUrl == XdsTypeUrls.Listener);
        Assert.Equal(("node-a", true, "1"), (reply.NodeId, reply.Accepted, reply.ResponseVersion));
        var status = Assert.Single(client.GetStatus());
        Assert.Equal((XdsResourceStatusKind.Acked, "1"), (status.Status, status.Version));

        // A second watcher of the same name hears the cached value at once.
        var second = new RecordingXdsWatcher();
        using var watch2 = client.Watch(XdsResourceTypes.Listener, "greeter", second);
        Assert.Equal("greeter-routes", (await second.NextResourceAsync<XdsListener>()).RouteConfigName);
    }

    [Fact]
    public async Task ChangesArePushedAndABadUpdateIsNackedWithItsFieldWhileTheCachedVersionStays()
    {
        await using var plane = await XdsControlPlane.StartAsync();
        plane.SetSnapshot([Cluster("greeter-cluster")]);
        await using var client = CreateClient(plane);
        var watcher = new RecordingXdsWatcher();
        using var watch = client.Watch(XdsResourceTypes.Cluster, "greeter-cluster", watcher);
        Assert.Equal(XdsCluster.DefaultMaxRequests, (await watcher.NextResourceAsync<XdsCluster>()).MaxRequests);

        plane.SetResource(Cluster("greeter-cluster", c => c.CircuitBreakers = new() { Thresholds = { new Envoy.Config.Cluster.V3.CircuitBreakers.Types.Thresholds { MaxRequests = 7 } } }));
        Assert.Equal(7u, (await watcher.NextResourceAsync<XdsCluster>()).MaxRequests);

        plane.SetResource(Cluster("greeter-cluster", c => c.LbPolicy = Envoy.Config.Cluster.V3.Cluster.Types.LbPolicy.Random));
        var ambient = await watcher.NextErrorAsync("ambient");
        Assert.Contains("greeter-cluster: lb_policy: RANDOM is not supported", ambient, StringComparison.Ordinal);

        var nack = await plane.WaitForReplyAsync(r => r.TypeUrl == XdsTypeUrls.Cluster && !r.Accepted);
        Assert.Equal("3", nack.ResponseVersion);
        Assert.Contains("lb_policy: RANDOM is not supported", nack.Error, StringComparison.Ordinal);

        var status = Assert.Single(client.GetStatus());
        Assert.Equal((XdsResourceStatusKind.Nacked, "2", 7u), (status.Status, status.Version, ((XdsCluster)status.Resource!).MaxRequests));
    }

    [Fact]
    public async Task TheValidResourcesOfANackedResponseAreStillUsed()
    {
        await using var plane = await XdsControlPlane.StartAsync();
        plane.SetSnapshot([Cluster("good"), Cluster("bad", c => c.Type = Envoy.Config.Cluster.V3.Cluster.Types.DiscoveryType.Static)]);
        await using var client = CreateClient(plane);
        var good = new RecordingXdsWatcher();
        var bad = new RecordingXdsWatcher();
        using var watchGood = client.Watch(XdsResourceTypes.Cluster, "good", good);
        using var watchBad = client.Watch(XdsResourceTypes.Cluster, "bad", bad);

        Assert.Equal("good", (await good.NextResourceAsync<XdsCluster>()).Name);
        Assert.Contains("bad: type: STATIC is not supported", await bad.NextErrorAsync("error"), StringComparison.Ordinal);
        var nack = await plane.WaitForReplyAsync(r => r.TypeUrl == XdsTypeUrls.Cluster && !r.Accepted);
        Assert.DoesNotContain("good", nack.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AListenerTheServerStopsSendingIsDeletedUnlessTheServerSaysToIgnoreDeletions()
    {
        await using var plane = await XdsControlPlane.StartAsync();
        plane.SetSnapshot([Resource("lds-rds-ads")]);
        await using var strict = CreateClient(plane, nodeId: "strict");
        await using var lenient = CreateClient(plane, TimeProvider.System, "lenient", "ignore_resource_deletion");
        var strictWatcher = new RecordingXdsWatcher();
        var lenientWatcher = new RecordingXdsWatcher();
        using var w1 = strict.Watch(XdsResourceTypes.Listener, "greeter", strictWatcher);
        using var w2 = lenient.Watch(XdsResourceTypes.Listener, "greeter", lenientWatcher);
        await strictWatcher.NextResourceAsync<XdsListener>();
        await lenientWatcher.NextResourceAsync<XdsListener>();

        Assert.True(plane.RemoveResource(XdsTypeUrls.Listener, "greeter"));

        Assert.Equal("LDS resource greeter does not exist", await strictWatcher.NextErrorAsync("error"));
        Assert.Contains("ignore_resource_deletion", await lenientWatcher.NextErrorAsync("ambient"), StringComparison.Ordinal);
        Assert.Equal(XdsResourceStatusKind.DoesNotExist, Assert.Single(strict.GetStatus()).Status);
        Assert.NotNull(Assert.Single(lenient.GetStatus()).Resource);
    }

    [Fact]
    public async Task AResourceTheServerNeverSendsDoesNotExistAfterFifteenSecondsOfAnUpStream()
    {
        var time = new FakeTimeProvider();
        await using var plane = await XdsControlPlane.StartAsync();
        await using var client = CreateClient(plane, time);
        var watcher = new RecordingXdsWatcher();
        using var watch = client.Watch(XdsResourceTypes.RouteConfiguration, "missing-routes", watcher);

        // The server answered the subscription (with nothing); the timer runs from the request on the up stream.
        await plane.WaitForReplyAsync(r => r.TypeUrl == XdsTypeUrls.RouteConfiguration);
        time.Advance(XdsClient.DoesNotExistTimeout - TimeSpan.FromMilliseconds(1));
        Assert.True(watcher.IsQuiet);
        time.Advance(TimeSpan.FromMilliseconds(1));

        Assert.Equal("RDS resource missing-routes does not exist (no response within 15 s)", await watcher.NextErrorAsync("error"));

        // It arrives later: delivered.
        var routes = Resource("rds-prefix-cluster").Unpack<Envoy.Config.Route.V3.RouteConfiguration>();
        routes.Name = "missing-routes";
        plane.SetResource(routes);
        Assert.Equal("missing-routes", (await watcher.NextResourceAsync<XdsRouteConfig>()).Name);
    }

    [Fact]
    public async Task WhenTheControlPlaneGoesAwayTheCacheIsKeptAndTheClientResubscribesWhenItReturns()
    {
        var plane = await XdsControlPlane.StartAsync();
        var port = plane.Port;
        plane.SetSnapshot([Cluster("greeter-cluster")]);
        await using var client = CreateClient(plane);
        var watcher = new RecordingXdsWatcher();
        using var watch = client.Watch(XdsResourceTypes.Cluster, "greeter-cluster", watcher);
        await watcher.NextResourceAsync<XdsCluster>();

        await plane.DisposeAsync();
        Assert.Contains("xDS stream to 127.0.0.1:", await watcher.NextErrorAsync("ambient"), StringComparison.Ordinal);
        Assert.Equal(XdsResourceStatusKind.Acked, Assert.Single(client.GetStatus()).Status);

        await using var restarted = await XdsControlPlane.StartAsync(new XdsControlPlaneOptions { Port = port });
        restarted.SetSnapshot([Cluster("greeter-cluster", c => c.CircuitBreakers = new() { Thresholds = { new Envoy.Config.Cluster.V3.CircuitBreakers.Types.Thresholds { MaxRequests = 9 } } })]);

        // Repeated failures while it was down may have added ambient errors; the new version arrives after them.
        while (true)
        {
            var (kind, value) = await watcher.NextAsync();
            if (kind == "changed")
            {
                Assert.Equal(9u, ((XdsCluster)value).MaxRequests);
                break;
            }

            Assert.Equal("ambient", kind);
        }

        await restarted.WaitForReplyAsync(r => r.TypeUrl == XdsTypeUrls.Cluster && r.Accepted);
    }

    [Fact]
    public async Task AResponseOfATypeTheClientNeverAskedForIsNackedAndChangesNothing()
    {
        await using var plane = await XdsControlPlane.StartAsync();
        plane.SetSnapshot([Resource("lds-rds-ads")]);
        await using var client = CreateClient(plane);
        var watcher = new RecordingXdsWatcher();
        using var watch = client.Watch(XdsResourceTypes.Listener, "greeter", watcher);
        await watcher.NextResourceAsync<XdsListener>();

        plane.Inject(new Envoy.Service.Discovery.V3.DiscoveryResponse
        {
            TypeUrl = "type.googleapis.com/example.Unknown",
            VersionInfo = "7",
            Resources = { new Any { TypeUrl = "type.googleapis.com/example.Unknown", Value = Google.Protobuf.ByteString.CopyFromUtf8("x") } },
        });

        var nack = await plane.WaitForReplyAsync(r => r.TypeUrl == "type.googleapis.com/example.Unknown");
        Assert.False(nack.Accepted);
        Assert.Contains("resource type type.googleapis.com/example.Unknown is not supported", nack.Error, StringComparison.Ordinal);
        Assert.True(watcher.IsQuiet);
        Assert.Equal(XdsResourceStatusKind.Acked, Assert.Single(client.GetStatus()).Status);
    }

    [Fact]
    public async Task UnwatchingTheLastWatcherUnsubscribes()
    {
        await using var plane = await XdsControlPlane.StartAsync();
        plane.SetSnapshot([Cluster("a"), Cluster("b")]);
        await using var client = CreateClient(plane);
        var a = new RecordingXdsWatcher();
        var b = new RecordingXdsWatcher();
        var watchA = client.Watch(XdsResourceTypes.Cluster, "a", a);
        using var watchB = client.Watch(XdsResourceTypes.Cluster, "b", b);
        await a.NextResourceAsync<XdsCluster>();
        await b.NextResourceAsync<XdsCluster>();

        watchA.Dispose();
        Assert.Equal(["b"], client.GetStatus().Select(s => s.Name));

        // After unsubscribing, a's changes no longer reach the client; b's still do.
        plane.SetResource(Cluster("a", c => c.CircuitBreakers = new() { Thresholds = { new Envoy.Config.Cluster.V3.CircuitBreakers.Types.Thresholds { MaxRequests = 3 } } }));
        plane.SetResource(Cluster("b", c => c.CircuitBreakers = new() { Thresholds = { new Envoy.Config.Cluster.V3.CircuitBreakers.Types.Thresholds { MaxRequests = 4 } } }));
        Assert.Equal(4u, (await b.NextResourceAsync<XdsCluster>()).MaxRequests);
        Assert.True(a.IsQuiet);
    }
}
