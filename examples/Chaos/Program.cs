// A bounded chaos run: three backends killed and restarted in turn under a steady stream of calls.
//   dotnet run --project examples/Chaos [-- <calls> <callers> <kills>] [--verbose]
using Chaos;


using Microsoft.Extensions.Logging;

var numbers = args.Where(a => !a.StartsWith("--", StringComparison.Ordinal)).Select(int.Parse).ToArray();
var calls = numbers.Length > 0 ? numbers[0] : 3000;
var callers = numbers.Length > 1 ? numbers[1] : 8;
var kills = numbers.Length > 2 ? numbers[2] : 6;
using var logging = Microsoft.Extensions.Logging.LoggerFactory.Create(b =>
{
    if (args.Contains("--verbose"))
    {
        b.AddSimpleConsole(o => o.TimestampFormat = "HH:mm:ss.fff ").SetMinimumLevel(Microsoft.Extensions.Logging.LogLevel.Debug).AddFilter("Grpc", Microsoft.Extensions.Logging.LogLevel.Warning);
    }
});
var result = await ChaosScenario.RunAsync(Console.Out, calls, callers, kills, TimeSpan.FromMilliseconds(20), logging);
return result.Failures == 0 && result.CallsInFlightAfter == 0 && result.ConnectionsOpenAfterDispose == 0 ? 0 : 1;
