// Proxyless benchmarks.
//   dotnet run -c Release --project benchmarks/Proxyless.Benchmarks -- --e2e      end-to-end comparison with grpc-dotnet
//   dotnet run -c Release --project benchmarks/Proxyless.Benchmarks -- --slow-backend  one backend 10x slower: RR vs LR vs WRR
//   dotnet run -c Release --project benchmarks/Proxyless.Benchmarks -- --update-latency  resolver updates at 10,000 endpoints
//   dotnet run -c Release --project benchmarks/Proxyless.Benchmarks -- --shutdown   backends stopped (SIGTERM) or killed under load
//   dotnet run -c Release --project benchmarks/Proxyless.Benchmarks -- --filter '*'   BenchmarkDotNet micro-benchmarks
using System.Globalization;
using BenchmarkDotNet.Running;
using Proxyless.Benchmarks;
using Proxyless.Examples;

if (args.Length >= 2 && args[0] == "--serve")
{
    var backends = new List<EchoBackend>();
    for (var i = 0; i < int.Parse(args[1], CultureInfo.InvariantCulture); i++)
    {
        backends.Add(await EchoBackend.StartLoopbackAsync());
    }

    Console.WriteLine("PORTS " + string.Join(",", backends.Select(b => b.Port)));
    await Console.In.ReadToEndAsync(); // until the parent closes stdin
    foreach (var backend in backends)
    {
        await backend.DisposeAsync();
    }

    return 0;
}

if (args.Length >= 1 && args[0] == "--serve-until-signal")
{
    var backend = await EchoBackend.StartLoopbackAsync();
    Console.WriteLine("PORTS " + backend.Port);
    await ExampleServers.ServeUntilCancelledAsync([backend]); // SIGTERM: a graceful stop
    return 0;
}

if (args.Length >= 1 && args[0] == "--shutdown")
{
    var i = Array.IndexOf(args, "--rounds");
    return await ShutdownScenario.RunAsync(i >= 0 ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : 7);
}

if (args.Length >= 1 && args[0] == "--alloc-by-type")
{
    return await AllocationBreakdown.RunAsync();
}

if (args.Length >= 1 && args[0] == "--e2e")
{
    int Option(string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
    }

    return await EndToEndComparison.RunAsync(
        sequentialCalls: Option("--sequential", 10_000),
        concurrentCalls: Option("--concurrent", 40_000),
        concurrency: Option("--callers", 32),
        rounds: Option("--rounds", 7));
}

if (args.Length >= 1 && args[0] == "--slow-backend")
{
    int Option(string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
    }

    return await SlowBackendScenario.RunAsync(Option("--calls", 6000), Option("--callers", 32), TimeSpan.FromMilliseconds(Option("--fast-ms", 2)), Option("--rounds", 5));
}

if (args.Length >= 1 && args[0] == "--endpoint-cost")
{
    var i = Array.IndexOf(args, "--endpoints");
    return await EndpointCostScenario.RunAsync(i >= 0 ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : 10_000);
}

if (args.Length >= 1 && args[0] == "--update-latency")
{
    int Option(string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
    }

    return await UpdateLatencyScenario.RunAsync(Option("--endpoints", 10_000), Option("--churn", 100), Option("--updates", 10));
}

BenchmarkSwitcher.FromAssembly(typeof(PickBenchmarks).Assembly).Run(args);
return 0;
