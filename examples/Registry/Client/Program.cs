// GoFrame's gRPC load-balancing client on Proxyless: discovers "hello" and balances with the policy given.
//   dotnet run --project examples/Registry/Client -- round_robin
//   dotnet run --project examples/Registry/Client -- pick_first --calls 50 --interval-ms 200
//   dotnet run --project examples/Registry/Client -- round_robin --registry etcd://127.0.0.1:2379
using Registry.Client;
using Registry.Server;

string Option(string name, string fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
}

var policy = args.Length > 0 && !args[0].StartsWith("--", StringComparison.Ordinal) ? args[0] : "round_robin";
using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};

try
{
    await RegistryClient.RunAsync(
        Console.Out,
        RegistryChoice.FromArgs(args),
        policy,
        int.Parse(Option("--calls", "20"), System.Globalization.CultureInfo.InvariantCulture),
        TimeSpan.FromMilliseconds(int.Parse(Option("--interval-ms", "300"), System.Globalization.CultureInfo.InvariantCulture)),
        stop.Token);
    return 0;
}
catch (Proxyless.Configuration.ServiceConfigException ex)
{
    Console.Error.WriteLine(ex.Message);
    return 2;
}
catch (OperationCanceledException)
{
    return 0;
}
