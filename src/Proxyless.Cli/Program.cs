// The proxyless command.
//   dotnet run --project src/Proxyless.Cli -- resolve dns:///localhost:50051
//   dotnet run --project src/Proxyless.Cli -- call ipv4:127.0.0.1:50051,127.0.0.1:50052 --policy round_robin -n 10
//   dotnet run --project src/Proxyless.Cli -- registry list hello --registry etcd://127.0.0.1:2379
return await Proxyless.Cli.ProxylessCommand.RunAsync(args);
