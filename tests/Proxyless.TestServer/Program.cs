// An echo backend in its own process, for tests that kill (SIGKILL) or stop (SIGTERM) a real server process.
//   Proxyless.TestServer [--delay-ms N]
// Prints "serving on <address>", then "received <call-id>" as each call arrives (the client's "call-id" header).
// SIGTERM or Ctrl+C stops it gracefully; SIGKILL is a crash.
using System.Globalization;
using Proxyless.Examples;

var delay = TimeSpan.Zero;
for (var i = 0; i < args.Length - 1; i++)
{
    if (args[i] == "--delay-ms")
    {
        delay = TimeSpan.FromMilliseconds(int.Parse(args[i + 1], CultureInfo.InvariantCulture));
    }
}

var output = Console.Out;
var server = await EchoBackend.StartLoopbackAsync(o =>
{
    o.UnaryDelay = delay;
    o.OnCall = context =>
    {
        if (context.RequestHeaders.GetValue("call-id") is { } id)
        {
            lock (output)
            {
                output.WriteLine($"received {id}");
                output.Flush();
            }
        }
    };
});
await ExampleServers.ServeUntilCancelledAsync([server]);
