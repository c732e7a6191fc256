// The client of grpc-go's examples/features/dualstack, on Proxyless.
//   dotnet run --project examples/DualStack/Client                   # servers already running
//   dotnet run --project examples/DualStack/Client -- --with-servers  # starts them in-process too
using DualStack.Client;
using DualStack.Server;
using Proxyless.Examples;

var ports = DualStackServers.DefaultPorts;
var servers = args.Contains("--with-servers") ? await DualStackServers.StartAsync(ports) : [];
try
{
    await DualStackClient.RunAsync(Console.Out, ports, TimeSpan.FromSeconds(20));
    return 0;
}
catch (Grpc.Core.RpcException ex)
{
    Console.Error.WriteLine($"call failed: {ex.Status.StatusCode}: {ex.Status.Detail}");
    Console.Error.WriteLine("Are the servers running? Start them with: dotnet run --project examples/DualStack/Server");
    return 1;
}
finally
{
    await ExampleServers.StopAllAsync(servers);
}
