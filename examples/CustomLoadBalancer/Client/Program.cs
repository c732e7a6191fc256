// The client of grpc-go's examples/features/customloadbalancer, on Proxyless.
//   dotnet run --project examples/CustomLoadBalancer/Client                   # servers already running
//   dotnet run --project examples/CustomLoadBalancer/Client -- --with-servers  # starts them in-process too
using CustomLoadBalancer.Client;
using CustomLoadBalancer.Server;
using Proxyless.Examples;

var ports = CustomLoadBalancerServers.DefaultPorts;
var servers = args.Contains("--with-servers") ? await CustomLoadBalancerServers.StartAsync(ports) : [];
try
{
    await CustomLoadBalancerClient.RunAsync(Console.Out, "ipv4:" + string.Join(",", ports.Select(p => $"127.0.0.1:{p}")), TimeSpan.FromSeconds(20));
    return 0;
}
catch (Grpc.Core.RpcException ex)
{
    Console.Error.WriteLine($"call failed: {ex.Status.StatusCode}: {ex.Status.Detail}");
    Console.Error.WriteLine("Are the servers running? Start them with: dotnet run --project examples/CustomLoadBalancer/Server");
    return 1;
}
finally
{
    await ExampleServers.StopAllAsync(servers);
}
