using Grpc.Examples.Echo;
using Proxyless.Discovery;
using Proxyless.Resolution;
using Proxyless.Tests.Support;

namespace Proxyless.Tests.Functional;

public sealed class FileRegistryTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "proxyless-registry-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private FileRegistry Registry(TimeSpan? staleAfter = null) => new(new FileRegistryOptions
    {
        Directory = _directory,
        HeartbeatInterval = TimeSpan.FromMilliseconds(200),
        StaleAfter = staleAfter ?? TimeSpan.FromSeconds(10),
        PollInterval = TimeSpan.FromMilliseconds(100),
    });

    internal static ServiceInstance Instance(string id, params string[] addresses)
        => new("hello", "1.0", id, [new InstanceEndpoint(addresses)], new Dictionary<string, string> { ["weight"] = "2", ["zone"] = "a" });

    [Fact]
    public async Task RegisterListAndDeregister()
    {
        await using var registry = Registry();
        var one = Instance("one", "127.0.0.1:5001");
        var two = Instance("two", "[::1]:5002", "127.0.0.1:5002");
        await registry.RegisterAsync(one);
        await registry.RegisterAsync(two);

        var listed = await registry.ListAsync("hello");
        Assert.Equal(["one", "two"], listed.Select(i => i.Id));
        Assert.Equal(["[::1]:5002", "127.0.0.1:5002"], listed[1].Endpoints[0].Addresses);
        Assert.Equal("2", listed[0].Metadata["weight"]);

        await registry.DeregisterAsync(one);
        Assert.Equal(["two"], (await registry.ListAsync("hello")).Select(i => i.Id));
        Assert.False(File.Exists(Path.Combine(_directory, "hello", "one.json")));
    }

    [Fact]
    public async Task WatchSeesRegistrationsFromAnotherRegistryInstance()
    {
        await using var server = Registry();
        var client = Registry();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var snapshots = new List<IReadOnlyList<ServiceInstance>>();
        var watching = Task.Run(async () =>
        {
            await foreach (var snapshot in client.WatchAsync("hello", cts.Token))
            {
                lock (snapshots)
                {
                    snapshots.Add(snapshot);
                }
            }
        });

        await Eventually.TrueAsync(() => { lock (snapshots) { return snapshots.Count == 1; } }, "the first (empty) snapshot");
        await server.RegisterAsync(Instance("one", "127.0.0.1:5001"));
        await Eventually.TrueAsync(() => { lock (snapshots) { return snapshots[^1].Count == 1; } }, "the registration");
        await server.DeregisterAsync(Instance("one", "127.0.0.1:5001"));
        await Eventually.TrueAsync(() => { lock (snapshots) { return snapshots[^1].Count == 0; } }, "the deregistration");
        cts.Cancel();
        await watching;
        Assert.Empty(snapshots[0]);
    }

    [Fact]
    public async Task AnInstanceThatStopsHeartbeatingDisappearsAfterTheStaleTimeout()
    {
        var registry = Registry(staleAfter: TimeSpan.FromSeconds(1.5));
        await registry.RegisterAsync(Instance("crashing", "127.0.0.1:5001"));
        await registry.AbandonAllAsync(); // as if the process had died without deregistering

        var reader = Registry(staleAfter: TimeSpan.FromSeconds(1.5));
        Assert.Single(await reader.ListAsync("hello"));
        await Eventually.TrueAsync(async () => (await reader.ListAsync("hello")).Count == 0, "the stale entry to go");
        var file = Path.Combine(_directory, "hello", "crashing.json");
        Assert.True(File.Exists(file), "a reader hides a stale entry but never deletes it");
        Assert.Contains((await reader.InspectAsync("hello")).Skipped, s => s.Location == file && s.Reason.StartsWith("stale: ", StringComparison.Ordinal));

        // A process registered under the same service cleans up after its crashed peer.
        await using var peer = Registry(staleAfter: TimeSpan.FromSeconds(1.5));
        await peer.RegisterAsync(Instance("alive", "127.0.0.1:5002"));
        await Eventually.TrueAsync(() => !File.Exists(file), "the registered peer to remove the stale entry");
    }

    [Fact]
    public async Task AHeartbeatDatedInTheFutureStillExpires()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        Directory.CreateDirectory(Path.Combine(_directory, "hello"));
        var json = ServiceInstanceJson.Write(Instance("future", "127.0.0.1:5001"), new Dictionary<string, object>
        {
            ["heartbeat"] = time.GetUtcNow().AddYears(1).ToString("O"),
        });
        await File.WriteAllTextAsync(Path.Combine(_directory, "hello", "future.json"), json);
        var reader = new FileRegistry(new FileRegistryOptions { Directory = _directory, StaleAfter = TimeSpan.FromSeconds(10), TimeProvider = time });

        Assert.Single(await reader.ListAsync("hello"));                 // counted from when it was first seen
        time.Advance(TimeSpan.FromSeconds(9));
        Assert.Single(await reader.ListAsync("hello"));
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.Empty(await reader.ListAsync("hello"));                  // nobody refreshed it: stale
    }

    [Fact]
    public async Task AFileWithAFieldOfTheWrongTypeIsSkippedNamedOnceAndTheRestIsServed()
    {
        await using var registry = Registry();
        await registry.RegisterAsync(Instance("good", "127.0.0.1:5001"));
        var dir = Path.Combine(_directory, "hello");
        var now = DateTimeOffset.UtcNow.ToString("O");
        var badPid = Path.Combine(dir, "badpid.json");
        await File.WriteAllTextAsync(badPid, $$"""{"name":"hello","id":"badpid","endpoints":[{"addresses":["127.0.0.1:5002"]}],"pid":"123","host":"{{Environment.MachineName}}","heartbeat":"{{now}}"}""");
        var badHeartbeat = Path.Combine(dir, "badheartbeat.json");
        await File.WriteAllTextAsync(badHeartbeat, """{"name":"hello","id":"badheartbeat","endpoints":[{"addresses":["127.0.0.1:5003"]}],"heartbeat":42}""");
        var otherService = Path.Combine(dir, "zzz.json");
        await File.WriteAllTextAsync(otherService, $$"""{"name":"zzz","id":"zzz","endpoints":[{"addresses":["127.0.0.1:5004"]}],"heartbeat":"{{now}}"}""");

        using var logging = RecordingLoggerProvider.CreateFactory(out var log);
        var reader = new FileRegistry(new FileRegistryOptions { Directory = _directory, LoggerFactory = logging });
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(["good"], (await reader.ListAsync("hello")).Select(x => x.Id));
        }

        var skipped = (await reader.InspectAsync("hello")).Skipped.ToDictionary(x => x.Location, x => x.Reason);
        Assert.Equal("'pid' is \"123\", not a process id", skipped[badPid]);
        Assert.Equal("'heartbeat' is 42, not a date and time", skipped[badHeartbeat]);
        Assert.Equal("'name' is 'zzz' but the entry lies in the directory of 'hello'", skipped[otherService]);
        Assert.Single(log.Lines, l => l.Contains(badPid, StringComparison.Ordinal)); // once, not once per scan

        // Through a channel the good entry is served.
        await using var backends = await BackendSet.StartAsync(1);
        await registry.DeregisterAsync(Instance("good", "127.0.0.1:5001"));
        await registry.RegisterAsync(Instance("good2", backends[0].Address));
        using var channel = BalancedChannel.Create("registry:///hello", new BalancedChannelOptions
        {
            Resolvers = ResolverRegistry.CreateDefault().Register(new RegistryResolverProvider("registry", reader)),
        });
        var reply = await new Echo.EchoClient(channel).UnaryEchoAsync(new EchoRequest { Message = "x" }, deadline: DateTime.UtcNow.AddSeconds(10));
        Assert.Equal($"x (from {backends[0].Address})", reply.Message);
    }

    [Fact]
    public async Task DeletingTheRegistryDirectoryUnderLoadLosesNoCallAndRegistrationsComeBack()
    {
        await using var backends = await BackendSet.StartAsync(2);
        await using var registry = Registry();
        await registry.RegisterAsync(Instance("one", backends[0].Address));
        await registry.RegisterAsync(Instance("two", backends[1].Address));
        using var channel = BalancedChannel.Create("registry:///hello", new BalancedChannelOptions
        {
            Resolvers = ResolverRegistry.CreateDefault().Register(new RegistryResolverProvider("registry", Registry())),
            ServiceConfig = """{"loadBalancingConfig":[{"round_robin":{}}]}""",
        });
        var client = new Echo.EchoClient(channel);
        await BalancingTests.WarmUpAsync(client, backends);

        var load = CallLoad.Start(client, callers: 4);
        await load.WaitForMoreCallsAsync(100, "calls before the deletion");
        for (var attempt = 1; ; attempt++) // as rm -rf would: a heartbeat may write a file while the tree is deleted
        {
            try
            {
                Directory.Delete(_directory, recursive: true);
                break;
            }
            catch (IOException) when (attempt < 50)
            {
            }
        }

        await load.WaitForMoreCallsAsync(300, "calls while the directory is gone or coming back");
        await Eventually.TrueAsync(() => File.Exists(Path.Combine(_directory, "hello", "one.json")) && File.Exists(Path.Combine(_directory, "hello", "two.json")), "the registrations to be written again");
        await load.WaitForMoreCallsAsync(100, "calls after");
        await load.StopAsync();

        Assert.True(load.Failed == 0, $"{load.Failed} of {load.Completed} calls failed:\n{load.Errors}");
        await Eventually.ReadyAsync(channel, 2, "both backends in use again");
    }

    [Fact]
    public async Task AnEntryOfAnExitedProcessIsRemovedAtOnce()
    {
        Directory.CreateDirectory(Path.Combine(_directory, "hello"));
        var json = ServiceInstanceJson.Write(Instance("ghost", "127.0.0.1:5001"), new Dictionary<string, object>
        {
            ["pid"] = int.MaxValue - 7, // no such process
            ["host"] = Environment.MachineName,
            ["heartbeat"] = DateTimeOffset.UtcNow.ToString("O"),
        });
        await File.WriteAllTextAsync(Path.Combine(_directory, "hello", "ghost.json"), json);
        Assert.Empty(await Registry().ListAsync("hello"));
    }

    [Fact]
    public async Task MalformedEntriesAreSkippedNotFatal()
    {
        await using var registry = Registry();
        await registry.RegisterAsync(Instance("good", "127.0.0.1:5001"));
        var dir = Path.Combine(_directory, "hello");
        await File.WriteAllTextAsync(Path.Combine(dir, "garbage.json"), "{ not json");
        await File.WriteAllTextAsync(Path.Combine(dir, "noaddress.json"), """{"name":"hello","id":"x","endpoints":[{"addresses":["nowhere"]}],"heartbeat":"2099-01-01T00:00:00Z"}""");
        Assert.Equal(["good"], (await registry.ListAsync("hello")).Select(i => i.Id));
    }

    [Theory]
    [InlineData("{ not json", "not valid JSON")]
    [InlineData("""{"id":"x","endpoints":[{"addresses":["127.0.0.1:1"]}]}""", "'name' must be a non-empty string")]
    [InlineData("""{"name":"hello","id":"x","endpoints":[]}""", "'endpoints' must be a non-empty array")]
    [InlineData("""{"name":"hello","id":"x","endpoints":[{"addresses":["127.0.0.1"]}]}""", "'endpoints[0].addresses' has \"127.0.0.1\", which is not a \"host:port\" address")]
    [InlineData("""{"name":"hello","id":"x","endpoints":[{"addresses":["127.0.0.1:1"]}],"metadata":{"weight":"-3"}}""", "'metadata.weight' is \"-3\", not a positive whole number")]
    [InlineData("[1]", "the entry must be a JSON object")]
    [InlineData("""{"name":5,"id":"x","endpoints":[{"addresses":["127.0.0.1:1"]}]}""", "'name' must be a string")]
    [InlineData("""{"name":"hello","id":"x","endpoints":{"addresses":["127.0.0.1:1"]}}""", "'endpoints' must be a non-empty array of endpoints")]
    [InlineData("""{"name":"hello","id":"x","endpoints":[{"addresses":["127.0.0.1:1",7]}]}""", "'endpoints[0].addresses[1]' must be a \"host:port\" string")]
    [InlineData("""{"name":"hello","id":"x","endpoints":[{"addresses":["127.0.0.1:1"]}],"metadata":{"zone":{"a":1}}}""", "'metadata.zone' must be a string")]
    public void MalformedEntriesSayWhatIsWrong(string json, string problem)
    {
        var ex = Assert.Throws<FormatException>(() => ServiceInstanceJson.Read(json, out _));
        Assert.Contains(problem, ex.Message);
    }

    [Fact]
    public async Task AChannelBalancesOverInstancesDiscoveredThroughTheRegistryAndDropsAStoppedOne()
    {
        await using var backends = await BackendSet.StartAsync(2);
        await using var registry = Registry();
        var one = Instance("one", backends[0].Address);
        var two = Instance("two", backends[1].Address);
        await registry.RegisterAsync(one);
        await registry.RegisterAsync(two);

        using var channel = BalancedChannel.Create("registry:///hello", new BalancedChannelOptions
        {
            Resolvers = ResolverRegistry.CreateDefault().Register(new RegistryResolverProvider("registry", Registry())),
            ServiceConfig = """{"loadBalancingConfig":[{"round_robin":{}}]}""",
        });
        var client = new Echo.EchoClient(channel);
        await BalancingTests.WarmUpAsync(client, backends);

        await registry.DeregisterAsync(two);
        await Eventually.TrueAsync(
            async () =>
            {
                var before = backends[1].State.Calls;
                for (var i = 0; i < 4; i++)
                {
                    await client.UnaryEchoAsync(new EchoRequest { Message = "x" });
                }

                return backends[1].State.Calls == before;
            },
            "the deregistered instance to leave the rotation");
    }

    [Fact]
    public void RegistryEndpointsCarryWeightAndServerNameAttributes()
    {
        var instance = Instance("one", "[::1]:5001", "127.0.0.1:5001") with
        {
            Metadata = new Dictionary<string, string> { ["weight"] = "3", ["serverName"] = "member1.etcd.local" },
        };
        var endpoint = Assert.Single(RegistryResolverProvider.ToEndpoints([instance]));
        Assert.Equal(3, endpoint.Attributes.GetValueOrDefault(InstanceMetadata.WeightAttribute, 0));
        Assert.Equal(2, endpoint.Addresses.Count);
        Assert.All(endpoint.Addresses, a => Assert.Equal("member1.etcd.local", a.Attributes.GetValueOrDefault(AddressAttributes.ServerName, "")));
    }
}
