// GoFrame's gRPC load-balancing server on Proxyless: start it twice; each instance picks a free port and
// registers itself as "hello". Ctrl+C deregisters it (after marking health NOT_SERVING and draining).
//   dotnet run --project examples/Registry/Server                                   # file registry (no server needed)
//   dotnet run --project examples/Registry/Server -- --registry etcd://127.0.0.1:2379 --weight 3
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Registry.Server;

var app = RegistryServer.Build(args);
await app.StartAsync();
var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
Console.WriteLine($"serving 'hello' on {string.Join(", ", addresses)} ({RegistryChoice.FromArgs(args).Uri} registry); Ctrl+C to stop");
await app.WaitForShutdownAsync();
