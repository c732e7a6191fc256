using System.Reflection;
using Grpc.Core;
using Grpc.Net.Client;
using Grpc.Net.Client.Balancer;
using Grpc.Net.Client.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Proxyless.Benchmarks;

/// <summary>grpc-dotnet's own balancer (Grpc.Net.Client.Balancer) over the same backends, for comparison.</summary>
internal static class BuiltInBalancer
{
    public static GrpcChannel CreateRoundRobinChannel(IReadOnlyList<int> ports)
    {
        var services = new ServiceCollection();
        services.AddSingleton<ResolverFactory>(new StaticResolverFactory(_ => ports.Select(p => new BalancerAddress("127.0.0.1", p)).ToArray()));
        return GrpcChannel.ForAddress("static:///backends", new GrpcChannelOptions
        {
            Credentials = ChannelCredentials.Insecure,
            ServiceProvider = services.BuildServiceProvider(),
            ServiceConfig = new ServiceConfig { LoadBalancingConfigs = { new RoundRobinConfig() } },
        });
    }

    /// <summary>The picker grpc-dotnet's round_robin published (internal, so found by reflection; benchmark-only).</summary>
    public static SubchannelPicker GetCurrentPicker(GrpcChannel channel)
    {
        var manager = typeof(GrpcChannel).GetProperty("ConnectionManager", BindingFlags.Instance | BindingFlags.NonPublic)!.GetValue(channel)!;
        var field = manager.GetType().GetFields(BindingFlags.Instance | BindingFlags.NonPublic).First(f => f.FieldType == typeof(SubchannelPicker));
        return (SubchannelPicker)field.GetValue(manager)!;
    }
}
