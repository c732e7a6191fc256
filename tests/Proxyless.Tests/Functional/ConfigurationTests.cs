using System.Text;
using Grpc.Examples.Echo;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Proxyless.Tests.Support;

namespace Proxyless.Tests.Functional;

/// <summary>
/// <c>AddProxylessChannel(name, section)</c>: a channel written in appsettings.json (the service config as a JSON
/// object), injected by name; bad configuration fails host start naming the key; a reload switches the policy under
/// load without failing a call, and an invalid reload keeps the last good config.
/// </summary>
public class ConfigurationTests
{
    [Fact]
    public async Task AChannelWrittenInAppSettingsIsInjectedByNameAndBalances()
    {
        await using var backends = await BackendSet.StartAsync(2);
        var appsettings = $$"""
            {
              "Proxyless": {
                "Channels": {
                  "greeter": {
                    "Target": "{{backends.Target}}",
                    "ServiceConfig": {
                      "loadBalancingConfig": [ { "round_robin": {} } ],
                      "methodConfig": [ { "name": [ {} ], "timeout": "10s", "retryPolicy": { "maxAttempts": 3, "initialBackoff": "0.1s", "maxBackoff": "1s", "backoffMultiplier": 2, "retryableStatusCodes": [ "UNAVAILABLE" ] } } ]
                    },
                    "Connection": { "KeepAlivePingDelay": "00:00:30", "Backoff": { "MaxBackoff": "00:00:05" } }
                  }
                }
              }
            }
            """;
        var configuration = new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(appsettings))).Build();
        var services = new ServiceCollection();
        services.AddProxylessChannel("greeter", configuration.GetSection("Proxyless:Channels:greeter"));
        await using var provider = services.BuildServiceProvider();

        var channel = provider.GetRequiredKeyedService<BalancedChannel>("greeter");
        Assert.Same(channel, provider.GetRequiredKeyedService<ChannelBase>("greeter"));
        await channel.ConnectAsync();
        await Eventually.ReadyAsync(channel, 2, "both backends READY");
        var client = new Echo.EchoClient(channel);
        var replies = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            replies.Add((await client.UnaryEchoAsync(new EchoRequest { Message = "config" }, deadline: DateTime.UtcNow.AddSeconds(10))).Message);
        }

        Assert.Equal(2, replies.Distinct().Count()); // round_robin, from the JSON object
        Assert.All(backends.All, b => Assert.Equal(2, b.State.Calls));
    }

    [Theory]
    [InlineData("ServiceConfig:loadBalancingConfig:0:roundrobin", "", "Proxyless:Channels:greeter:ServiceConfig", "'roundrobin'")]
    [InlineData("ServiceConfig:methodConfig:0:timeout", "ten seconds", "Proxyless:Channels:greeter:ServiceConfig", "methodConfig[0].timeout")]
    [InlineData("Conection:KeepAlivePingDelay", "00:00:10", "Proxyless:Channels:greeter:Conection", "unknown key")]
    [InlineData("Connection:KeepAlivePingDelai", "00:00:10", "Proxyless:Channels:greeter:Connection", "KeepAlivePingDelai")]
    [InlineData("Tls:TrustedRootsPemFile", "/nonexistent/ca.pem", "Proxyless:Channels:greeter:Tls", "ca.pem")]
    public async Task BadConfigurationFailsHostStartNamingTheKey(string key, string value, string path, string detail)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Proxyless:Channels:greeter:Target"] = "ipv4:127.0.0.1:5000",
            [$"Proxyless:Channels:greeter:{key}"] = value,
        });
        builder.Services.AddProxylessChannel("greeter", builder.Configuration.GetSection("Proxyless:Channels:greeter"));
        using var host = builder.Build();
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
        Assert.Contains(detail, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AReloadSwitchesThePolicyUnderLoadWithoutAFailedCallAndABadReloadKeepsTheLastGood()
    {
        await using var backends = await BackendSet.StartAsync(2);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Proxyless:Channels:greeter:Target"] = backends.Target,
            ["Proxyless:Channels:greeter:ServiceConfig"] = """{"loadBalancingConfig":[{"pick_first":{}}]}""",
        }).Build();
        var memory = configuration.Providers.OfType<MemoryConfigurationProvider>().Single();
        var services = new ServiceCollection();
        services.AddProxylessChannel("greeter", configuration.GetSection("Proxyless:Channels:greeter"));
        await using var provider = services.BuildServiceProvider();
        var client = new Echo.EchoClient(provider.GetRequiredKeyedService<BalancedChannel>("greeter"));

        var load = CallLoad.Start(client, callers: 4);
        await load.WaitForMoreCallsAsync(100, "calls under pick_first");
        Assert.Equal(0, backends[1].State.Calls); // pick_first: the first address only

        memory.Set("Proxyless:Channels:greeter:ServiceConfig", """{"loadBalancingConfig":[{"round_robin":{}}]}""");
        configuration.Reload();
        await Eventually.TrueAsync(() => backends[1].State.Calls > 50, "round_robin to reach the second backend");

        memory.Set("Proxyless:Channels:greeter:ServiceConfig", """{"loadBalancingConfig":[{"no_such_policy":{}}]}""");
        configuration.Reload();
        var before = backends.All.Select(b => b.State.Calls).ToArray();
        await load.WaitForMoreCallsAsync(200, "calls after the bad reload");
        await load.StopAsync();

        Assert.True(load.Failed == 0, load.Errors);
        Assert.All(backends.All.Select((b, i) => b.State.Calls - before[i]), more => Assert.True(more > 0)); // still round_robin
    }
}
