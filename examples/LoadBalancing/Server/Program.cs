// The servers of grpc-go's examples/features/load_balancing: echo on :50051 and :50052,
// each reply naming the port that served it. Ctrl+C stops them.
using LoadBalancing.Server;

var ports = args.Length > 0 ? args[0].Split(',').Select(int.Parse).ToArray() : LoadBalancingServers.DefaultPorts;
var servers = await LoadBalancingServers.StartAsync(ports);
foreach (var server in servers)
{
    Console.WriteLine($"serving on {server.Address}");
}

var stop = new TaskCompletionSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.TrySetResult();
};
await stop.Task;
foreach (var server in servers)
{
    await server.DisposeAsync();
}
