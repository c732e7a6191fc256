// The servers of grpc-go's examples/features/dualstack: 127.0.0.1:50050 (IPv4 only),
// [::1]:50051 (IPv6 only) and port 50052 on both loopbacks.
using DualStack.Server;
using Proxyless.Examples;

await ExampleServers.ServeUntilCancelledAsync(await DualStackServers.StartAsync(DualStackServers.DefaultPorts));
