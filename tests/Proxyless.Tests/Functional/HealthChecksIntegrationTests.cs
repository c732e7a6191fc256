using Grpc.Health.V1;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Proxyless.Discovery;
using Proxyless.Tests.Support;

namespace Proxyless.Tests.Functional;

/// <summary>
/// Registration with Grpc.AspNetCore.HealthChecks: one gRPC health service (ASP.NET Core's health checks) answers for
/// the whole server and the registered name, other health checks count, and a client watching health sees NOT_SERVING
/// as soon as the drain begins, while the instance is still registered.
/// </summary>
public sealed class HealthChecksIntegrationTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("proxyless-healthchecks-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private WebApplication Build(bool grpcHealthChecks, Func<HealthCheckResult>? extraCheck = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.ConfigureKestrel(k => k.Listen(System.Net.IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        builder.Services.AddProxylessFileRegistry(new FileRegistryOptions { Directory = _directory });
        builder.Services.AddProxylessRegistration(o =>
        {
            o.ServiceName = "hello";
            o.DrainPeriod = TimeSpan.FromSeconds(2);
        });
        if (grpcHealthChecks)
        {
            var checks = builder.Services.AddGrpcHealthChecks();
            if (extraCheck is not null)
            {
                checks.AddCheck("database", extraCheck);
            }
        }

        var app = builder.Build();
        app.MapProxylessHealthService();
        return app;
    }

    private static Grpc.Health.V1.Health.HealthClient HealthClient(WebApplication app, out BalancedChannel channel)
    {
        var bound = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());
        channel = BalancedChannel.Create($"ipv4:127.0.0.1:{bound.Port}");
        return new Grpc.Health.V1.Health.HealthClient(channel);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task OneHealthServiceAnswersForTheServerAndTheNameAndAWatcherSeesTheDrain(bool grpcHealthChecks)
    {
        var app = Build(grpcHealthChecks);
        await app.StartAsync();
        var health = HealthClient(app, out var channel);
        using (channel)
        {
            Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, (await health.CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(10))).Status);
            Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, (await health.CheckAsync(new HealthCheckRequest { Service = "hello" }, deadline: DateTime.UtcNow.AddSeconds(10))).Status);

            Task stopping;
            using (var watch = health.Watch(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(30)))
            {
                Assert.True(await watch.ResponseStream.MoveNext());
                Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, watch.ResponseStream.Current.Status);

                stopping = app.StopAsync();
                Assert.True(await watch.ResponseStream.MoveNext());
                Assert.Equal(HealthCheckResponse.Types.ServingStatus.NotServing, watch.ResponseStream.Current.Status); // at once, not at the next publish
                Assert.Single(await new FileRegistry(new FileRegistryOptions { Directory = _directory }).ListAsync("hello")); // still registered: draining
            } // the watcher goes, as a client would: the server's graceful stop waits for open streams

            await stopping;
        }

        await app.DisposeAsync();
    }

    [Fact]
    public async Task AnotherFailingHealthCheckMakesTheServerNotServing()
    {
        var app = Build(grpcHealthChecks: true, () => HealthCheckResult.Unhealthy("database down"));
        await app.StartAsync();
        var health = HealthClient(app, out var channel);
        using (channel)
        {
            Assert.Equal(HealthCheckResponse.Types.ServingStatus.NotServing, (await health.CheckAsync(new HealthCheckRequest { Service = "hello" }, deadline: DateTime.UtcNow.AddSeconds(10))).Status);
        }

        await app.StopAsync();
        await app.DisposeAsync();
    }
}
