using AspNetCoreExample;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Proxyless.Discovery;

namespace Proxyless.Tests.Functional;

/// <summary>examples/AspNetCore as a user runs it: appsettings.json, AddGrpcClient + UseProxyless, the file registry.</summary>
public sealed class AspNetCoreExampleTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("proxyless-aspnetcore-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task TheWebEndpointCallsTheRegisteredBackendsInTurn()
    {
        var app = WebFrontend.Build(["--urls", "http://127.0.0.1:0", $"--Registry:Directory={_directory}"]);
        await using var backends = await WebFrontend.StartBackendsAsync(app.Services.GetRequiredService<FileRegistry>());
        await app.StartAsync();
        try
        {
            var url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
            using var http = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(30) };
            var replies = new List<string>();
            for (var i = 0; i < 50 && replies.Distinct().Count() < 2; i++) // the second backend may still be connecting at first
            {
                replies.Add(await http.GetStringAsync("/hello/world"));
            }

            Assert.All(replies, r => Assert.StartsWith("world (from 127.0.0.1:", r, StringComparison.Ordinal));
            Assert.Equal(2, replies.Distinct().Count()); // round_robin from appsettings.json, over both registered backends
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }
}
