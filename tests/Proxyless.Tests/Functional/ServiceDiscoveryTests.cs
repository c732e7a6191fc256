using Grpc.Examples.Echo;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.ServiceDiscovery;
using Proxyless.Discovery;
using Proxyless.Tests.Support;

namespace Proxyless.Tests.Functional;

/// <summary>
/// Microsoft.Extensions.ServiceDiscovery (.NET Aspire), both ways, on real servers: an Aspire-style target resolved by
/// the app's configuration provider follows a configuration change without a restart; a Proxyless registry answers
/// service discovery queries and signals changes.
/// </summary>
public sealed class ServiceDiscoveryTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("proxyless-sd-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task AnAspireTargetFollowsTheConfigurationProviderAndItsChanges()
    {
        await using var backends = await BackendSet.StartAsync(2);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Services:greeter:http:0"] = $"http://{backends[0].Address}",
        }).Build();
        var memory = configuration.Providers.OfType<MemoryConfigurationProvider>().Single();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging();
        services.AddServiceDiscoveryCore().AddConfigurationServiceEndpointProvider();
        services.AddProxylessServiceDiscovery();
        services.AddGrpcClient<Echo.EchoClient>(o => o.Address = new Uri("https+http://greeter"))
            .UseProxyless(o => o.ServiceConfig = """{"loadBalancingConfig":[{"round_robin":{}}]}""");
        await using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<Echo.EchoClient>();

        var reply = await client.UnaryEchoAsync(new EchoRequest { Message = "aspire" }, deadline: DateTime.UtcNow.AddSeconds(10));
        Assert.Equal($"aspire (from {backends[0].Address})", reply.Message);

        // A second endpoint appears in configuration: the picker gets it without a restart.
        memory.Set("Services:greeter:http:1", $"http://{backends[1].Address}");
        configuration.Reload();
        await Eventually.TrueAsync(
            async () => (await client.UnaryEchoAsync(new EchoRequest { Message = "aspire" }, deadline: DateTime.UtcNow.AddSeconds(10))).Message.EndsWith($"{backends[1].Address})", StringComparison.Ordinal),
            "a call served by the endpoint added in configuration");
    }

    [Fact]
    public async Task ARegistryAnswersServiceDiscoveryForHttpClientAndYarpUsers()
    {
        var registry = new FileRegistry(new FileRegistryOptions { Directory = _directory });
        await using (registry)
        {
            await registry.RegisterAsync(new ServiceInstance("greeter", "1.0", "a", [new InstanceEndpoint(["127.0.0.1:5001"])], new Dictionary<string, string>()));
            var services = new ServiceCollection();
            services.AddLogging();
            services.AddSingleton<IServiceDiscovery>(registry);
            services.AddProxylessServiceEndpointProvider();
            await using var provider = services.BuildServiceProvider();
            var resolver = provider.GetRequiredService<ServiceEndpointResolver>();

            var source = await resolver.GetEndpointsAsync("http://greeter", CancellationToken.None);
            Assert.Equal(["127.0.0.1:5001"], source.Endpoints.Select(e => e.EndPoint.ToString()));

            await registry.RegisterAsync(new ServiceInstance("greeter", "1.0", "b", [new InstanceEndpoint(["127.0.0.1:5002"])], new Dictionary<string, string>()));
            await Eventually.TrueAsync(() => source.ChangeToken.HasChanged, "the change token to fire when an instance registers", TimeSpan.FromSeconds(15));
            var updated = await resolver.GetEndpointsAsync("http://greeter", CancellationToken.None);
            Assert.Equal(["127.0.0.1:5001", "127.0.0.1:5002"], updated.Endpoints.Select(e => e.EndPoint.ToString()).Order());
        }
    }
}
