// Proxyless benchmarks.
//   dotnet run -c Release --project benchmarks/Proxyless.Benchmarks -- --e2e      end-to-end comparison with grpc-dotnet (--rounds, --turns)
//   dotnet run -c Release --project benchmarks/Proxyless.Benchmarks -- --slow-backend  one backend 10x slower: RR vs LR vs WRR
//   dotnet run -c Release --project benchmarks/Proxyless.Benchmarks -- --update-latency  resolver updates at 10,000 endpoints
//   dotnet run -c Release --project benchmarks/Proxyless.Benchmarks -- --endpoint-cost   memory per endpoint at 10,000
//   dotnet run -c Release --project benchmarks/Proxyless.Benchmarks -- --scale     all of issue 14's 10,000-endpoint figures in one run
//   dotnet run -c Release --project benchmarks/Proxyless.Benchmarks -- --profile-target proxyless  sequential calls for a profiler
//   dotnet run -c Release --project benchmarks/Proxyless.Benchmarks -- --xds-route-change  xDS route flips under load: time to effect
//   dotnet run -c Release --project benchmarks/Proxyless.Benchmarks -- --shutdown   backends stopped (SIGTERM) or killed under load
//   dotnet run -c Release --project benchmarks/Proxyless.Benchmarks -- --filter '*'   BenchmarkDotNet micro-benchmarks
using System.Globalization;
using BenchmarkDotNet.Running;
using Proxyless.Benchmarks;
using Proxyless.Examples;

int Option(string name, int fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
}

int[] Churn() // --churn 10,100,1000: endpoints replaced per update, one series per size
{
    var i = Array.IndexOf(args, "--churn");
    return i >= 0 && i + 1 < args.Length
        ? args[i + 1].Split(',').Select(c => int.Parse(c, CultureInfo.InvariantCulture)).ToArray()
        : [10, 100, 1000];
}

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
    return await ShutdownScenario.RunAsync(Option("--rounds", 7));
}

if (args.Length >= 1 && args[0] == "--alloc-by-type")
{
    return await AllocationBreakdown.RunAsync();
}

if (args.Length >= 1 && args[0] == "--e2e")
{
    return await EndToEndComparison.RunAsync(
        sequentialCalls: Option("--sequential", 10_000),
        concurrentCalls: Option("--concurrent", 40_000),
        concurrency: Option("--callers", 32),
        rounds: Option("--rounds", 7),
        turns: Option("--turns", 10));
}

if (args.Length >= 1 && args[0] == "--slow-backend")
{
    return await SlowBackendScenario.RunAsync(Option("--calls", 6000), Option("--callers", 32), TimeSpan.FromMilliseconds(Option("--fast-ms", 2)), Option("--rounds", 5));
}

if (args.Length >= 1 && args[0] == "--endpoint-cost")
{
    return await EndpointCostScenario.RunAsync(Option("--endpoints", 10_000));
}

if (args.Length >= 1 && args[0] == "--update-latency")
{
    return await UpdateLatencyScenario.RunAsync(Option("--endpoints", 10_000), Churn(), Option("--updates", 10));
}

if (args.Length >= 2 && args[0] == "--profile-target")
{
    return await ProfileTarget.RunAsync(args[1], Option("--seconds", 20));
}

if (args.Length >= 1 && args[0] == "--xds-route-change")
{
    return await XdsRouteChangeScenario.RunAsync(Option("--flips", 100), Option("--callers", 32));
}

if (args.Length >= 1 && args[0] == "--scale")
{
    return await ScaleScenario.RunAsync(Option("--endpoints", 10_000), Churn(), Option("--updates", 10));
}

BenchmarkSwitcher.FromAssembly(typeof(PickBenchmarks).Assembly).Run(args);
return 0;
