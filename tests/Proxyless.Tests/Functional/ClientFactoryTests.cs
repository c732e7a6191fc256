using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Grpc.Core.Interceptors;
using Grpc.Examples.Echo;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Proxyless.ClientFactory;
using Proxyless.Discovery;
using Proxyless.Tests.Support;

namespace Proxyless.Tests.Functional;

/// <summary>
/// <c>AddGrpcClient&lt;T&gt;().UseProxyless()</c> on real Kestrel servers: calls are balanced by the configured policy,
/// the factory's interceptors, call credentials, message handlers, channel options and the service config's method
/// settings keep working, one balanced channel serves a client name, the container disposes it, and misuse is a
/// clear error.
/// </summary>
public class ClientFactoryTests
{
    private const string RoundRobin = """{"loadBalancingConfig":[{"round_robin":{}}]}""";

    [Fact]
    public async Task AFactoryClientIsBalancedAndKeepsInterceptorsCredentialsHandlersAndOptions()
    {
        using var metrics = new Support.MetricRecorder(Proxyless.Diagnostics.ProxylessMeters.Stable);
        await using var backends = await BackendSet.StartAsync(2);
        var intercepted = 0;
        var authorizations = new ConcurrentQueue<string>();
        var services = new ServiceCollection();
        services.AddGrpcClient<Echo.EchoClient>(o => o.Address = new Uri(backends.Target))
            .UseProxyless(o => o.ServiceConfig = RoundRobin)
            .AddInterceptor(() => new CountingInterceptor(() => Interlocked.Increment(ref intercepted)))
            .AddCallCredentials((_, metadata) =>
            {
                metadata.Add("authorization", "Bearer token-1");
                return Task.CompletedTask;
            })
            .ConfigureChannel(o => o.UnsafeUseInsecureChannelCallCredentials = true)
            .AddHttpMessageHandler(() => new HeaderRecorder(authorizations));
        ServiceProvider provider;
        await using ((provider = services.BuildServiceProvider()).ConfigureAwait(false))
        {
            // Two resolved instances of the client: one balanced channel behind both.
            var first = provider.GetRequiredService<Echo.EchoClient>();
            var second = provider.GetRequiredService<Echo.EchoClient>();
            var channel = provider.GetRequiredService<ProxylessClientChannels>().GetOrCreate(nameof(Echo.EchoClient), null);
            await channel.ConnectAsync();
            await Eventually.ReadyAsync(channel, 2, "both backends READY");
            var served = new List<string>();
            for (var i = 0; i < 4; i++)
            {
                var client = i % 2 == 0 ? first : second;
                var reply = await client.UnaryEchoAsync(new EchoRequest { Message = "factory" }, deadline: DateTime.UtcNow.AddSeconds(10));
                served.Add(reply.Message);
            }

            Assert.Equal(2, served.Distinct().Count()); // round_robin over both backends
            Assert.All(backends.All, b => Assert.Equal(2, b.State.Calls));
            Assert.Equal(4, intercepted);
            Assert.Equal(Enumerable.Repeat("Bearer token-1", 4), authorizations);
            Assert.Equal(2, channel.GetDiagnostics().Subchannels.Count);
            Assert.Equal(4, metrics.Of("grpc.client.call.duration", backends.Target).Count); // per-call metrics through the factory's invoker
            await provider.DisposeAsync();
            Assert.Equal(ConnectivityState.Shutdown, channel.State); // disposed with the container
        }
    }

    [Fact]
    public async Task ADnsTargetAndARegistryTargetWorkThroughTheFactory()
    {
        await using var backend = await Examples.EchoBackend.StartLoopbackAsync();
        var port = ((System.Net.IPEndPoint)backend.EndPoint).Port;
        var registry = new FileRegistry(new FileRegistryOptions { Directory = Directory.CreateTempSubdirectory("proxyless-factory-").FullName });
        await using (registry)
        {
            await registry.RegisterAsync(new ServiceInstance("greeter", "1.0", "a", [new InstanceEndpoint([backend.Address])], new Dictionary<string, string>()));
            var services = new ServiceCollection();
            services.AddSingleton<Proxyless.Resolution.ResolverProvider>(new RegistryResolverProvider("registry", registry));
            services.AddGrpcClient<Echo.EchoClient>("dns", o => o.Address = new Uri($"dns:///localhost:{port}")).UseProxyless();
            services.AddGrpcClient<Echo.EchoClient>("registry", o => o.Address = new Uri("registry:///greeter")).UseProxyless();
            await using var provider = services.BuildServiceProvider();
            var factory = provider.GetRequiredService<Grpc.Net.ClientFactory.GrpcClientFactory>();
            foreach (var name in new[] { "dns", "registry" })
            {
                var reply = await factory.CreateClient<Echo.EchoClient>(name).UnaryEchoAsync(new EchoRequest { Message = name }, deadline: DateTime.UtcNow.AddSeconds(10));
                Assert.Equal($"{name} (from {backend.Address})", reply.Message);
            }
        }

        Directory.Delete(registry.Directory, recursive: true);
    }

    [Fact]
    public async Task TheServiceConfigsMethodSettingsApplyToFactoryCalls()
    {
        // waitForReady from the service config: with no server up the call waits until its deadline instead of
        // failing fast with UNAVAILABLE.
        var port = FreePort();
        var services = new ServiceCollection();
        services.AddGrpcClient<Echo.EchoClient>(o => o.Address = new Uri($"ipv4:127.0.0.1:{port}"))
            .UseProxyless(o => o.ServiceConfig = """{"methodConfig":[{"name":[{}],"waitForReady":true}]}""");
        await using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<Echo.EchoClient>();
        var ex = await Assert.ThrowsAsync<RpcException>(() => client.UnaryEchoAsync(new EchoRequest { Message = "wait" }, deadline: DateTime.UtcNow.AddMilliseconds(500)).ResponseAsync);
        Assert.Equal(StatusCode.DeadlineExceeded, ex.StatusCode);
    }

    [Fact]
    public async Task AnAddressThatIsNotATargetFailsHostStartNamingTheClient()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddGrpcClient<Echo.EchoClient>(o => o.Address = new Uri("ipv4:999.1.1.1:5000")).UseProxyless();
        using var host = builder.Build();
        var ex = await Assert.ThrowsAnyAsync<Exception>(() => host.StartAsync());
        Assert.Contains("gRPC client 'EchoClient'", ex.ToString(), StringComparison.Ordinal);
        Assert.Contains("999.1.1.1", ex.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AClientConfiguredFromAppSettingsFailsHostStartOnAMisspeltKeyNamingIt()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Greeter:Target"] = "ipv4:127.0.0.1:5000",
            ["Greeter:ServiceConfg:loadBalancingConfig:0:round_robin"] = "",
        });
        builder.Services.AddGrpcClient<Echo.EchoClient>().UseProxyless(builder.Configuration.GetSection("Greeter"));
        using var host = builder.Build();
        var ex = await Assert.ThrowsAnyAsync<Exception>(() => host.StartAsync());
        Assert.Contains("Greeter:ServiceConfg: unknown key", ex.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReplacingThePrimaryHandlerFailsHostStartNamingTheClient()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddGrpcClient<Echo.EchoClient>(o => o.Address = new Uri("ipv4:127.0.0.1:1"))
            .UseProxyless()
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler());
        using var host = builder.Build();
        var ex = await Assert.ThrowsAnyAsync<Exception>(() => host.StartAsync());
        Assert.Contains("gRPC client 'EchoClient' uses Proxyless", ex.ToString(), StringComparison.Ordinal);
        Assert.Contains("SocketsHttpHandler", ex.ToString(), StringComparison.Ordinal);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private sealed class CountingInterceptor(Action onCall) : Interceptor
    {
        public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(TRequest request, ClientInterceptorContext<TRequest, TResponse> context, AsyncUnaryCallContinuation<TRequest, TResponse> continuation)
        {
            onCall();
            return continuation(request, context);
        }
    }

    private sealed class HeaderRecorder(ConcurrentQueue<string> authorizations) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            authorizations.Enqueue(request.Headers.Authorization?.ToString() ?? "");
            return base.SendAsync(request, cancellationToken);
        }
    }
}
