using Etcdserverpb;
using Google.Protobuf;
using Grpc.Examples.Echo;
using Proxyless.Etcd;
using Proxyless.Discovery;
using Proxyless.Resolution;
using Proxyless.Tests.Support;

namespace Proxyless.Tests.Functional;

public sealed class EtcdRegistryTests : IAsyncLifetime
{
    private EtcdServer _etcd = null!;

    public async Task InitializeAsync() => _etcd = await EtcdServer.StartNewAsync();

    public async Task DisposeAsync() => await _etcd.DisposeAsync();

    private EtcdRegistry Registry(TimeSpan? ttl = null)
    {
        var options = new EtcdRegistryOptions { LeaseTtl = ttl ?? TimeSpan.FromSeconds(10), RequestTimeout = TimeSpan.FromSeconds(2) };
        options.Endpoints.Add(_etcd.ClientUrl);
        return new EtcdRegistry(options);
    }

    private static ServiceInstance Instance(string id, string address) => FileRegistryTests.Instance(id, address);

    private static BalancedChannel RoundRobinOver(EtcdRegistry discovery) => BalancedChannel.Create("etcd:///hello", new BalancedChannelOptions
    {
        Resolvers = ResolverRegistry.CreateDefault().Register(discovery.CreateResolverProvider()),
        ServiceConfig = """{"loadBalancingConfig":[{"round_robin":{}}]}""",
    });

    [Fact]
    public async Task RegisterListWatchAndDeregister()
    {
        await using var server = Registry();
        await using var client = Registry();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var snapshots = new System.Collections.Concurrent.ConcurrentQueue<IReadOnlyList<ServiceInstance>>();
        var watching = Task.Run(async () =>
        {
            await foreach (var snapshot in client.WatchAsync("hello", cts.Token))
            {
                snapshots.Enqueue(snapshot);
            }
        });
        await Eventually.TrueAsync(() => snapshots.Count == 1, "the first snapshot");

        await server.RegisterAsync(Instance("one", "127.0.0.1:5001"));
        await server.RegisterAsync(Instance("two", "[::1]:5002"));
        await Eventually.TrueAsync(() => snapshots.Last().Count == 2, "both registrations in the watch");
        Assert.Equal(["one", "two"], (await client.ListAsync("hello")).Select(i => i.Id));

        await server.DeregisterAsync(Instance("one", "127.0.0.1:5001"));
        await Eventually.TrueAsync(() => snapshots.Last().Select(i => i.Id).SequenceEqual(["two"]), "the deregistration in the watch");
        cts.Cancel();
        await watching;
    }

    [Fact]
    public async Task AnInstanceThatStopsRenewingDisappearsAfterTheLeaseTtl()
    {
        await using var client = Registry();
        var server = Registry(ttl: TimeSpan.FromSeconds(2));
        await server.RegisterAsync(Instance("crashing", "127.0.0.1:5001"));
        Assert.Single(await client.ListAsync("hello"));

        await server.AbandonAllAsync(); // no deregistration, no more renewals
        var started = DateTime.UtcNow;
        await Eventually.TrueAsync(async () => (await client.ListAsync("hello")).Count == 0, "the lease to expire", TimeSpan.FromSeconds(15));
        Assert.True(DateTime.UtcNow - started >= TimeSpan.FromSeconds(1), "the entry must live until its lease runs out");
        await server.DisposeAsync();
    }

    [Fact]
    public async Task MalformedEntriesAreSkippedWithoutStoppingDiscovery()
    {
        await using var registry = Registry();
        await registry.RegisterAsync(Instance("good", "127.0.0.1:5001"));
        using var raw = BalancedChannel.Create($"ipv4:127.0.0.1:{_etcd.ClientPort}");
        var kv = new KV.KVClient(raw);
        await kv.PutAsync(new PutRequest { Key = ByteString.CopyFromUtf8("/services/default/hello/1.0/bad"), Value = ByteString.CopyFromUtf8("{ garbage") });
        await kv.PutAsync(new PutRequest { Key = ByteString.CopyFromUtf8("/services/default/hello/1.0/noport"), Value = ByteString.CopyFromUtf8("""{"name":"hello","id":"noport","endpoints":[{"addresses":["127.0.0.1"]}]}""") });
        await kv.PutAsync(new PutRequest { Key = ByteString.CopyFromUtf8("/services/default/hello/1.0/zzz"), Value = ByteString.CopyFromUtf8("""{"name":"zzz","id":"zzz","endpoints":[{"addresses":["127.0.0.1:5009"]}]}""") });
        Assert.Equal(["good"], (await registry.ListAsync("hello")).Select(i => i.Id));

        var skipped = (await registry.InspectAsync("hello")).Skipped.ToDictionary(x => x.Location, x => x.Reason);
        Assert.Equal(3, skipped.Count);
        Assert.Equal("'name' is 'zzz' but the key files it under another service", skipped["/services/default/hello/1.0/zzz"]);
        Assert.Contains("not a \"host:port\" address", skipped["/services/default/hello/1.0/noport"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task TwoRegisteredServersAreBalancedThroughAnEtcdTarget()
    {
        await using var backends = await BackendSet.StartAsync(2);
        await using var registry = Registry();
        await registry.RegisterAsync(Instance("one", backends[0].Address));
        await registry.RegisterAsync(Instance("two", backends[1].Address));

        await using var discovery = Registry();
        using var channel = RoundRobinOver(discovery);
        var client = new Echo.EchoClient(channel);
        await BalancingTests.WarmUpAsync(client, backends);
        var before = backends.All.Select(b => b.State.Calls).ToArray();
        for (var i = 0; i < 10; i++)
        {
            await client.UnaryEchoAsync(new EchoRequest { Message = "etcd" });
        }

        Assert.Equal(5, backends[0].State.Calls - before[0]);
        Assert.Equal(5, backends[1].State.Calls - before[1]);
    }

    [Fact]
    public async Task CallsKeepFlowingAcrossAnEtcdRestartAndRegistrationsComeBack()
    {
        await using var backends = await BackendSet.StartAsync(2);
        await using var registry = Registry(ttl: TimeSpan.FromSeconds(3));
        await registry.RegisterAsync(Instance("one", backends[0].Address));
        await registry.RegisterAsync(Instance("two", backends[1].Address));
        await using var discovery = Registry();
        using var channel = RoundRobinOver(discovery);
        var client = new Echo.EchoClient(channel);
        await BalancingTests.WarmUpAsync(client, backends);

        await _etcd.StopAsync();
        // etcd is down: the client keeps its last instances, and calls go on.
        var before = backends.All.Select(b => b.State.Calls).ToArray();
        for (var i = 0; i < 20; i++)
        {
            await client.UnaryEchoAsync(new EchoRequest { Message = "no etcd" }, deadline: DateTime.UtcNow.AddSeconds(5));
        }

        Assert.Equal(10, backends[0].State.Calls - before[0]);
        Assert.Equal(10, backends[1].State.Calls - before[1]);

        // The leases are lost while etcd is down (here: revoked as soon as it is back, which is what an outage longer
        // than the lease does, without waiting for one): the registrar must register again.
        await _etcd.StartAsync();
        using (var raw = BalancedChannel.Create($"ipv4:127.0.0.1:{_etcd.ClientPort}"))
        {
            var leases = new Lease.LeaseClient(raw);
            var all = await leases.LeaseLeasesAsync(new LeaseLeasesRequest(), deadline: DateTime.UtcNow.AddSeconds(30));
            Assert.True(all.Leases.Count >= 2, $"{all.Leases.Count} leases"); // the two registrations' (and any the registrar took meanwhile)
            foreach (var lease in all.Leases)
            {
                await leases.LeaseRevokeAsync(new LeaseRevokeRequest { ID = lease.ID });
            }
        }

        await using var reader = Registry();
        await Eventually.TrueAsync(
            async () =>
            {
                try
                {
                    return (await reader.ListAsync("hello")).Count == 2;
                }
                catch (RpcException)
                {
                    return false;
                }
            },
            "both registrations back in etcd",
            TimeSpan.FromSeconds(30));
    }
}
