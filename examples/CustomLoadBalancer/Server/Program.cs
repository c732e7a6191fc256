// The servers of grpc-go's examples/features/customloadbalancer: echo on localhost:50050 and localhost:50051.
using CustomLoadBalancer.Server;
using Proxyless.Examples;

var ports = args.Length > 0 ? args[0].Split(',').Select(int.Parse).ToArray() : CustomLoadBalancerServers.DefaultPorts;
await ExampleServers.ServeUntilCancelledAsync(await CustomLoadBalancerServers.StartAsync(ports));
