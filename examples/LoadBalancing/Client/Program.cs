// The client of grpc-go's examples/features/load_balancing, on Proxyless.
//   dotnet run --project examples/LoadBalancing/Client                  # servers already running
//   dotnet run --project examples/LoadBalancing/Client -- --with-servers # starts them in-process too
//   dotnet run --project examples/LoadBalancing/Client -- --addrs 127.0.0.1:50051,127.0.0.1:50052
using System.Net;
using LoadBalancing.Client;
using LoadBalancing.Server;
using Proxyless.Resolution;

var withServers = args.Contains("--with-servers");
var addrsIndex = Array.IndexOf(args, "--addrs");
var addresses = (addrsIndex >= 0 && addrsIndex + 1 < args.Length ? args[addrsIndex + 1] : "127.0.0.1:50051,127.0.0.1:50052")
    .Split(',')
    .Select(a => IPEndPoint.Parse(a))
    .Select(ep => new BackendAddress(ep))
    .ToArray();

IReadOnlyList<Proxyless.Examples.EchoBackend> servers = [];
if (withServers)
{
    servers = await LoadBalancingServers.StartAsync(addresses.Select(a => ((IPEndPoint)a.EndPoint).Port));
}

try
{
    await LoadBalancingClient.RunAsync(Console.Out, addresses);
}
catch (Grpc.Core.RpcException ex)
{
    Console.Error.WriteLine($"call failed: {ex.Status.StatusCode}: {ex.Status.Detail}");
    Console.Error.WriteLine("Are the servers running? Start them with: dotnet run --project examples/LoadBalancing/Server");
    return 1;
}
finally
{
    await Proxyless.Examples.ExampleServers.StopAllAsync(servers);
}

return 0;
