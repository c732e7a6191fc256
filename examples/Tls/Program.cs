// grpc-go's load_balancing example with TLS, on Proxyless: no /etc/hosts edits, each backend verified
// under its own name.
//   dotnet run --project examples/Tls                  # pick_first and round_robin over TLS succeed
//   dotnet run --project examples/Tls -- --wrong-name  # no per-address names: the precise certificate error
using Tls;

var wrongName = args.Contains("--wrong-name");
return await TlsExample.RunAsync(Console.Out, wrongName, [0, 0, 0]);
