using System.CommandLine;
using Spectre.Console;

namespace Proxyless.Cli;

/// <summary>
/// The <c>proxyless</c> command line: <c>resolve</c>, <c>call</c>, <c>registry list</c>. Exit codes: 0 success,
/// 1 a service could not be reached (or calls failed), 2 bad input. Every error is one line naming the problem.
/// </summary>
public static class ProxylessCommand
{
    /// <summary>Parses and runs a command line.</summary>
    /// <param name="args">The arguments.</param>
    /// <param name="console">Where output and errors go; the terminal when null (errors to stderr, and output to a
    /// pipe or file is never wrapped).</param>
    /// <returns>The exit code.</returns>
    public static async Task<int> RunAsync(string[] args, IAnsiConsole? console = null)
    {
        var errors = console ?? CreateTerminal(Console.Error, System.Console.IsErrorRedirected);
        console ??= CreateTerminal(Console.Out, System.Console.IsOutputRedirected);
        var registry = new Option<string>("--registry") { Description = "Registry for registry:/// and etcd:/// targets: file, file:/dir or etcd://host:port", DefaultValueFactory = _ => "file" };

        var resolveTarget = new Argument<string>("target") { Description = "A gRPC target, e.g. dns:///example.com:443 or registry:///hello" };
        var timeout = new Option<int>("--timeout-ms") { Description = "How long to wait for the first resolution", DefaultValueFactory = _ => 5000 };
        timeout.Validators.Add(r => RequirePositive(r, "--timeout-ms"));
        var resolve = new Command("resolve", "Resolve a target once and print its endpoints") { resolveTarget, registry, timeout };
        resolve.SetAction((parse, _) => Guard(errors, () => Commands.ResolveAsync(console, parse.GetValue(resolveTarget)!, parse.GetValue(registry)!, TimeSpan.FromMilliseconds(parse.GetValue(timeout)))));

        var callTarget = new Argument<string>("target") { Description = "A gRPC target serving grpc.examples.echo.Echo" };
        var policy = new Option<string>("--policy") { Description = "Load-balancing policy", DefaultValueFactory = _ => "round_robin" };
        var serviceConfig = new Option<string?>("--service-config") { Description = "Full service config JSON (overrides --policy)" };
        var count = new Option<int>("--count", "-n") { Description = "Number of calls", DefaultValueFactory = _ => 10 };
        count.Validators.Add(r => RequirePositive(r, "--count"));
        var message = new Option<string>("--message") { Description = "Message to echo", DefaultValueFactory = _ => "hello from proxyless" };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "Only print the summary" };
        var call = new Command("call", "Call grpc.examples.echo.Echo/UnaryEcho through a balanced channel and show which backend served each call")
        {
            callTarget, policy, serviceConfig, count, message, registry, quiet,
        };
        call.SetAction((parse, _) => Guard(errors, () => Commands.CallAsync(console, parse.GetValue(callTarget)!, parse.GetValue(policy)!, parse.GetValue(serviceConfig), parse.GetValue(count), parse.GetValue(message)!, parse.GetValue(registry)!, parse.GetValue(quiet))));

        var service = new Argument<string>("service") { Description = "Service name, e.g. hello" };
        var listRegistry = new Option<string>("--registry") { Description = "file, file:/dir or etcd://host:port", DefaultValueFactory = _ => "file" };
        var list = new Command("list", "List a service's registered instances") { service, listRegistry };
        list.SetAction((parse, _) => Guard(errors, () => Commands.ListAsync(console, parse.GetValue(service)!, parse.GetValue(listRegistry)!)));

        var root = new RootCommand("Proxyless: client-side load balancing and service discovery for gRPC on .NET")
        {
            resolve,
            call,
            new Command("registry", "Inspect a service registry") { list },
        };

        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var error in parsed.Errors)
            {
                errors.MarkupLineInterpolated($"[red]{error.Message}[/]");
            }

            return 2;
        }

        return await parsed.InvokeAsync();
    }

    private static void RequirePositive(System.CommandLine.Parsing.OptionResult result, string name)
    {
        if (result.Implicit)
        {
            return;
        }

        var token = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
        if (!int.TryParse(token, System.Globalization.CultureInfo.InvariantCulture, out var value) || value < 1)
        {
            result.AddError($"{name} must be a whole number of at least 1, not '{token}'");
        }
    }

    // Output to a terminal wraps at its width; output to a pipe or a file is never wrapped.
    private static IAnsiConsole CreateTerminal(TextWriter writer, bool redirected)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(writer) });
        if (redirected)
        {
            console.Profile.Width = short.MaxValue;
        }

        return console;
    }

    // One line per problem, never a stack trace: bad input (target, service config, registry URI) exits 2, an
    // unreachable registry or backend exits 1.
    private static async Task<int> Guard(IAnsiConsole errors, Func<Task<int>> action)
    {
        try
        {
            return await action();
        }
        catch (Exception ex) when (ex is ArgumentException or Configuration.ServiceConfigException or FormatException)
        {
            errors.MarkupLineInterpolated($"[red]{ex.Message}[/]");
            return 2;
        }
        catch (ServiceUnreachableException ex)
        {
            errors.MarkupLineInterpolated($"[red]{ex.Message}[/]");
            return 1;
        }
    }
}
