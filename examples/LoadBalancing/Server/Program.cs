// The servers of grpc-go's examples/features/load_balancing: echo on :50051 and :50052,
// each reply naming the port that served it. Ctrl+C stops them.
using LoadBalancing.Server;
using Proxyless.Examples;

var ports = args.Length > 0 ? args[0].Split(',').Select(int.Parse).ToArray() : LoadBalancingServers.DefaultPorts;
await ExampleServers.ServeUntilCancelledAsync(await LoadBalancingServers.StartAsync(ports));
