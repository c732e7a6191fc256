// xds:///greeter: routes, clusters and endpoints from an xDS control plane; a route change moves traffic 90/10 → 10/90.
//   dotnet run --project examples/Xds
await Xds.XdsExample.RunAsync(Console.Out);
