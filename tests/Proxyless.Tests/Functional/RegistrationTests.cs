using Grpc.Health.V1;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Proxyless.Discovery;
using Proxyless.Tests.Support;
using Registry.Client;
using Registry.Server;

namespace Proxyless.Tests.Functional;

public sealed class RegistrationTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "proxyless-registration-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private string[] Args(params string[] extra) => ["--registry", "file:" + _directory, .. extra];

    [Fact]
    public async Task AServerRegistersItsBoundPortServesHealthAndOnShutdownDrainsThenDeregisters()
    {
        var app = RegistryServer.Build(Args("--drain-ms", "1500", "--weight", "4"));
        await app.StartAsync();
        var bound = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());
        var registry = new FileRegistry(new FileRegistryOptions { Directory = _directory });

        var instance = Assert.Single(await registry.ListAsync("hello"));
        Assert.Equal($"127.0.0.1:{bound.Port}", Assert.Single(Assert.Single(instance.Endpoints).Addresses));
        Assert.Equal("4", instance.Metadata["weight"]);

        using var channel = BalancedChannel.Create($"ipv4:127.0.0.1:{bound.Port}");
        var health = new Grpc.Health.V1.Health.HealthClient(channel);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, (await health.CheckAsync(new HealthCheckRequest { Service = "hello" })).Status);

        var stopping = app.StopAsync();
        await Eventually.TrueAsync(
            async () => (await health.CheckAsync(new HealthCheckRequest())).Status == HealthCheckResponse.Types.ServingStatus.NotServing,
            "health to turn NOT_SERVING at shutdown");
        Assert.Single(await registry.ListAsync("hello")); // still registered while draining
        await stopping;
        Assert.Empty(await registry.ListAsync("hello"));
        await app.DisposeAsync();
    }

    [Fact]
    public void BoundAddressesBecomeEndpointsOnePerPortWithEveryFamily()
    {
        var endpoints = Proxyless.AspNetCore.AdvertisedAddresses.FromServerAddresses(
            ["http://127.0.0.1:5001", "http://[::1]:5001", "http://[::]:5002", "http://localhost:5003", "http://0.0.0.0:5004"], advertisedHost: null);
        Assert.Equal(
            ["[::1]:5001,127.0.0.1:5001", "[::1]:5002,127.0.0.1:5002", "[::1]:5003,127.0.0.1:5003", "127.0.0.1:5004"],
            endpoints.Select(e => string.Join(",", e.Addresses)));
        var advertised = Proxyless.AspNetCore.AdvertisedAddresses.FromServerAddresses(["http://[::]:5002"], "10.1.2.3");
        Assert.Equal("10.1.2.3:5002", Assert.Single(Assert.Single(advertised).Addresses));
    }

    [Fact]
    public async Task TheRegistryExampleBalancesOverTwoServersAndStoppingOneRemovesItFromRotation()
    {
        var first = RegistryServer.Build(Args("--drain-ms", "500"));
        var second = RegistryServer.Build(Args("--drain-ms", "500"));
        await first.StartAsync();
        await second.StartAsync();
        try
        {
            var output = new StringWriter();
            var counts = await RegistryClient.RunAsync(output, new RegistryChoice("file:" + _directory), "round_robin", 40, TimeSpan.FromMilliseconds(10));
            Assert.Equal(2, counts.Count);
            Assert.All(counts.Values, c => Assert.True(c >= 15, $"round_robin should share 40 calls between both instances: {string.Join(", ", counts)}"));

            // A longer run while the first server stops.
            var longOutput = new SynchronizedWriter();
            var run = RegistryClient.RunAsync(longOutput, new RegistryChoice("file:" + _directory), "round_robin", 60, TimeSpan.FromMilliseconds(50));
            await Eventually.TrueAsync(() => longOutput.Lines.Count >= 10, "some calls before the stop");
            var stoppedId = counts.Keys.First(k => first.Services.GetRequiredService<Proxyless.Examples.EchoBackendState>().Label == k);
            await first.StopAsync();
            var stoppedAt = longOutput.Lines.Count;
            await run;

            var lines = longOutput.Lines;
            Assert.DoesNotContain(lines, l => l.Contains("failed"));
            var after = lines.Skip(stoppedAt + 2).Where(l => l.StartsWith("call ")).ToList();
            Assert.True(after.Count >= 20);
            Assert.DoesNotContain(after, l => l.Contains(stoppedId));
        }
        finally
        {
            await first.DisposeAsync();
            await second.DisposeAsync();
        }
    }

    [Fact]
    public async Task AServerFlippedToNotServingByItsFlagFileLosesTrafficAndRegainsIt()
    {
        var flag = Path.Combine(_directory, "not-serving.flag");
        var first = RegistryServer.Build(Args("--not-serving-file", flag));
        var second = RegistryServer.Build(Args());
        await first.StartAsync();
        await second.StartAsync();
        try
        {
            var firstId = first.Services.GetRequiredService<Proxyless.Examples.EchoBackendState>().Label;
            await File.WriteAllTextAsync(flag, "drain");
            await Eventually.TrueAsync(
                async () => !(await RegistryClient.RunAsync(new StringWriter(), new RegistryChoice("file:" + _directory), "round_robin", 12, TimeSpan.FromMilliseconds(20))).ContainsKey(firstId),
                "traffic to drain away from the NOT_SERVING server");

            File.Delete(flag);
            await Eventually.TrueAsync(
                async () => (await RegistryClient.RunAsync(new StringWriter(), new RegistryChoice("file:" + _directory), "round_robin", 12, TimeSpan.FromMilliseconds(20))).ContainsKey(firstId),
                "traffic to come back");
        }
        finally
        {
            await first.DisposeAsync();
            await second.DisposeAsync();
        }
    }

    [Fact]
    public async Task RegistryWeightsDriveWeightedRoundRobin()
    {
        var light = RegistryServer.Build(Args("--weight", "1"));
        var heavy = RegistryServer.Build(Args("--weight", "3"));
        await light.StartAsync();
        await heavy.StartAsync();
        try
        {
            var heavyId = heavy.Services.GetRequiredService<Proxyless.Examples.EchoBackendState>().Label;
            await Eventually.TrueAsync(
                async () =>
                {
                    var counts = await RegistryClient.RunAsync(new StringWriter(), new RegistryChoice("file:" + _directory), "weighted_round_robin", 200, TimeSpan.Zero);
                    return counts.Count == 2 && counts.GetValueOrDefault(heavyId) is >= 140 and <= 160; // 3:1 of 200
                },
                "weighted_round_robin to split 3:1 by the registered weights");
        }
        finally
        {
            await light.DisposeAsync();
            await heavy.DisposeAsync();
        }
    }

    [Fact]
    public async Task TheRegistryExampleWorksOverEtcd()
    {
        await using var etcd = await EtcdServer.StartNewAsync();
        var registry = $"etcd://127.0.0.1:{etcd.ClientPort}";
        var servers = new[] { RegistryServer.Build(["--registry", registry]), RegistryServer.Build(["--registry", registry]) };
        foreach (var server in servers)
        {
            await server.StartAsync();
        }

        try
        {
            var counts = await RegistryClient.RunAsync(new StringWriter(), new RegistryChoice(registry), "round_robin", 40, TimeSpan.FromMilliseconds(10));
            Assert.Equal(2, counts.Count);
            Assert.All(counts.Values, c => Assert.True(c >= 15, $"round_robin should share 40 calls between both instances: {string.Join(", ", counts)}"));
        }
        finally
        {
            foreach (var server in servers)
            {
                await server.StopAsync();
                await server.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task WithEtcdUnreachableAtStartTheServerServesAndRegistersOnceEtcdIsUp()
    {
        await using var etcd = new EtcdServer(); // its port is chosen, but etcd is not running yet
        var app = RegistryServer.Build(["--registry", $"etcd://127.0.0.1:{etcd.ClientPort}"]);
        await app.StartAsync(); // does not throw: serving matters more than being discoverable
        try
        {
            var bound = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());
            using var channel = BalancedChannel.Create($"ipv4:127.0.0.1:{bound.Port}");
            var health = new Grpc.Health.V1.Health.HealthClient(channel);
            Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, (await health.CheckAsync(new HealthCheckRequest { Service = "hello" })).Status);

            await etcd.StartAsync();
            var options = new Proxyless.Etcd.EtcdRegistryOptions { RequestTimeout = TimeSpan.FromSeconds(2) };
            options.Endpoints.Add(etcd.ClientUrl);
            await using var reader = new Proxyless.Etcd.EtcdRegistry(options);
            await Eventually.TrueAsync(
                async () => (await reader.ListAsync("hello")).Any(i => i.Endpoints[0].Addresses[0] == $"127.0.0.1:{bound.Port}"),
                "the server to register once etcd is up",
                TimeSpan.FromSeconds(40));
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    private sealed class SynchronizedWriter : StringWriter
    {
        private readonly List<string> _lines = [];

        public IReadOnlyList<string> Lines
        {
            get
            {
                lock (_lines)
                {
                    return [.. _lines];
                }
            }
        }

        public override Task WriteLineAsync(string? value)
        {
            lock (_lines)
            {
                _lines.Add(value ?? "");
            }

            return Task.CompletedTask;
        }
    }
}
