using System.CommandLine;
using Spectre.Console;

namespace Proxyless.Cli;

/// <summary>The <c>proxyless</c> command line: <c>resolve</c>, <c>call</c>, <c>registry list</c>.</summary>
public static class ProxylessCommand
{
    /// <summary>Parses and runs a command line.</summary>
    /// <param name="args">The arguments.</param>
    /// <param name="console">Where output goes; the terminal when null.</param>
    /// <returns>The exit code.</returns>
    public static async Task<int> RunAsync(string[] args, IAnsiConsole? console = null)
    {
        console ??= AnsiConsole.Console;
        var registry = new Option<string?>("--registry") { Description = "Registry for registry:/// and etcd:/// targets: file, file:/dir or etcd://host:port" };

        var resolveTarget = new Argument<string>("target") { Description = "A gRPC target, e.g. dns:///example.com:443 or registry:///hello" };
        var timeout = new Option<int>("--timeout-ms") { Description = "How long to wait for the first resolution", DefaultValueFactory = _ => 5000 };
        var resolve = new Command("resolve", "Resolve a target once and print its endpoints") { resolveTarget, registry, timeout };
        resolve.SetAction((parse, _) => Guard(console, () => Commands.ResolveAsync(console, parse.GetValue(resolveTarget)!, parse.GetValue(registry), TimeSpan.FromMilliseconds(parse.GetValue(timeout)))));

        var callTarget = new Argument<string>("target") { Description = "A gRPC target serving grpc.examples.echo.Echo" };
        var policy = new Option<string>("--policy") { Description = "Load-balancing policy", DefaultValueFactory = _ => "round_robin" };
        var serviceConfig = new Option<string?>("--service-config") { Description = "Full service config JSON (overrides --policy)" };
        var count = new Option<int>("--count", "-n") { Description = "Number of calls", DefaultValueFactory = _ => 10 };
        var message = new Option<string>("--message") { Description = "Message to echo", DefaultValueFactory = _ => "hello from proxyless" };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "Only print the summary" };
        var call = new Command("call", "Call grpc.examples.echo.Echo/UnaryEcho through a balanced channel and show which backend served each call")
        {
            callTarget, policy, serviceConfig, count, message, registry, quiet,
        };
        call.SetAction((parse, _) => Guard(console, () => Commands.CallAsync(console, parse.GetValue(callTarget)!, parse.GetValue(policy)!, parse.GetValue(serviceConfig), parse.GetValue(count), parse.GetValue(message)!, parse.GetValue(registry), parse.GetValue(quiet))));

        var service = new Argument<string>("service") { Description = "Service name, e.g. hello" };
        var listRegistry = new Option<string>("--registry") { Description = "file, file:/dir or etcd://host:port", DefaultValueFactory = _ => "file" };
        var list = new Command("list", "List a service's registered instances") { service, listRegistry };
        list.SetAction((parse, _) => Guard(console, () => Commands.ListAsync(console, parse.GetValue(service)!, parse.GetValue(listRegistry)!)));

        var root = new RootCommand("Proxyless: client-side load balancing and service discovery for gRPC on .NET")
        {
            resolve,
            call,
            new Command("registry", "Inspect a service registry") { list },
        };

        return await root.Parse(args).InvokeAsync();
    }

    // Bad input (target, service config, registry URI) is reported in one line, not as a stack trace.
    private static async Task<int> Guard(IAnsiConsole console, Func<Task<int>> action)
    {
        try
        {
            return await action();
        }
        catch (Exception ex) when (ex is ArgumentException or Configuration.ServiceConfigException or FormatException)
        {
            console.MarkupLineInterpolated($"[red]{ex.Message}[/]");
            return 2;
        }
    }
}
