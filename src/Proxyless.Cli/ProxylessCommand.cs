using System.CommandLine;
using Spectre.Console;

namespace Proxyless.Cli;

/// <summary>
/// The <c>proxyless</c> command line: <c>resolve</c>, <c>call</c>, <c>load</c>, <c>watch</c>, <c>registry list</c>, <c>xds dump</c>. Exit codes: 0 success,
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

        var load = LoadCommand(console, errors, registry);
        var watch = WatchCommand(console, errors, registry);

        var service = new Argument<string>("service") { Description = "Service name, e.g. hello" };
        var listRegistry = new Option<string>("--registry") { Description = "file, file:/dir or etcd://host:port", DefaultValueFactory = _ => "file" };
        var list = new Command("list", "List a service's registered instances") { service, listRegistry };
        list.SetAction((parse, _) => Guard(errors, () => Commands.ListAsync(console, parse.GetValue(service)!, parse.GetValue(listRegistry)!)));

        var dumpTarget = new Argument<string>("target") { Description = "An xds:/// target, e.g. xds:///greeter" };
        var bootstrap = new Option<string?>("--bootstrap") { Description = "gRPC's xDS bootstrap file (default: GRPC_XDS_BOOTSTRAP or GRPC_XDS_BOOTSTRAP_CONFIG)" };
        var dumpTimeout = new Option<int>("--timeout-ms") { Description = "How long to wait for every resource to be answered", DefaultValueFactory = _ => 5000 };
        dumpTimeout.Validators.Add(r => RequirePositive(r, "--timeout-ms"));
        var dump = new Command("dump", "Print the xDS resources a target follows, with their ACK/NACK state and content, as JSON (CSDS-like)") { dumpTarget, bootstrap, dumpTimeout };
        dump.SetAction((parse, _) => Guard(errors, () => XdsDump.RunAsync(console, parse.GetValue(dumpTarget)!, parse.GetValue(bootstrap), TimeSpan.FromMilliseconds(parse.GetValue(dumpTimeout)))));

        var root = new RootCommand("Proxyless: client-side load balancing and service discovery for gRPC on .NET")
        {
            new Command("xds", "Inspect xDS targets") { dump },
            resolve,
            call,
            load,
            watch,
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

    /// <summary>The longest <c>proxyless load</c> or <c>watch</c> run.</summary>
    private static readonly TimeSpan MaxDuration = TimeSpan.FromHours(1);

    private static Command LoadCommand(IAnsiConsole console, IAnsiConsole errors, Option<string> registry)
    {
        var target = new Argument<string>("target") { Description = "A gRPC target serving grpc.examples.echo.Echo" };
        var policy = new Option<string>("--policy") { Description = "Load-balancing policy", DefaultValueFactory = _ => "round_robin" };
        var serviceConfig = new Option<string?>("--service-config") { Description = "Full service config JSON (overrides --policy)" };
        var concurrency = new Option<int>("--concurrency", "-c") { Description = "Callers running at once", DefaultValueFactory = _ => 8 };
        concurrency.Validators.Add(r => RequirePositive(r, "--concurrency"));
        var count = new Option<int?>("--count", "-n") { Description = "Calls to make at most (200 when neither -n nor --duration is given)" };
        count.Validators.Add(r => RequirePositive(r, "--count"));
        var duration = new Option<string?>("--duration", "-z") { Description = "How long to run at most: 500ms, 10s, 2m (at most 1h; 60s when only -n is given)" };
        duration.Validators.Add(r => ParseDuration(r, "--duration"));
        var rps = new Option<int>("--rps") { Description = "Calls started per second across all callers (0: as fast as they go)", DefaultValueFactory = _ => 0 };
        rps.Validators.Add(r => RequireNotNegative(r, "--rps"));
        var callKind = new Option<string>("--call") { Description = "unary or stream (server streaming, three replies)", DefaultValueFactory = _ => "unary" };
        callKind.AcceptOnlyFromAmong("unary", "stream");
        var format = FormatOption();
        var message = new Option<string>("--message") { Description = "Message to echo", DefaultValueFactory = _ => "hello from proxyless" };
        var timeout = new Option<int>("--timeout-ms") { Description = "Each call's deadline", DefaultValueFactory = _ => 10_000 };
        timeout.Validators.Add(r => RequirePositive(r, "--timeout-ms"));
        var command = new Command("load", "Drive echo load through any policy: live calls/s, latency percentiles, errors and share per backend")
        {
            target, policy, serviceConfig, registry, concurrency, count, duration, rps, callKind, format, message, timeout,
        };
        command.SetAction((parse, cancellationToken) => Guard(errors, () =>
        {
            var n = parse.GetValue(count);
            var z = parse.GetValue(duration) is { } text ? Duration(text) : (TimeSpan?)null;
            var settings = new Load.LoadSettings(
                parse.GetValue(target)!,
                Commands.ServiceConfigFor(parse.GetValue(policy)!, parse.GetValue(serviceConfig)),
                parse.GetValue(concurrency),
                n ?? (z is null ? 200 : int.MaxValue),
                z ?? TimeSpan.FromSeconds(60),
                parse.GetValue(rps),
                parse.GetValue(callKind) == "stream",
                parse.GetValue(message)!,
                TimeSpan.FromMilliseconds(parse.GetValue(timeout)));
            return Commands.LoadAsync(console, settings, parse.GetValue(registry)!, parse.GetValue(format) == "json", cancellationToken);
        }));
        return command;
    }

    private static Command WatchCommand(IAnsiConsole console, IAnsiConsole errors, Option<string> registry)
    {
        var target = new Argument<string>("target") { Description = "A gRPC target" };
        var policy = new Option<string>("--policy") { Description = "Load-balancing policy", DefaultValueFactory = _ => "round_robin" };
        var serviceConfig = new Option<string?>("--service-config") { Description = "Full service config JSON (overrides --policy)" };
        var duration = new Option<string?>("--duration", "-z") { Description = "Stop after this long: 500ms, 10s, 2m (default: until Ctrl+C; at most 1h)" };
        duration.Validators.Add(r => ParseDuration(r, "--duration"));
        var interval = new Option<int>("--interval-ms") { Description = "How often to look", DefaultValueFactory = _ => 1000 };
        interval.Validators.Add(r => RequirePositive(r, "--interval-ms"));
        var rps = new Option<int>("--rps") { Description = "Echo calls per second to drive while watching (0: none)", DefaultValueFactory = _ => 0 };
        rps.Validators.Add(r => RequireNotNegative(r, "--rps"));
        var format = FormatOption();
        var command = new Command("watch", "Watch a channel live: subchannel states, calls in flight, weights, ejections, resolver updates")
        {
            target, policy, serviceConfig, registry, duration, interval, rps, format,
        };
        command.SetAction((parse, cancellationToken) => Guard(errors, () => Commands.WatchAsync(
            console,
            parse.GetValue(target)!,
            Commands.ServiceConfigFor(parse.GetValue(policy)!, parse.GetValue(serviceConfig)),
            parse.GetValue(registry)!,
            parse.GetValue(duration) is { } text ? Duration(text) : MaxDuration,
            TimeSpan.FromMilliseconds(parse.GetValue(interval)),
            parse.GetValue(rps),
            parse.GetValue(format) == "json",
            cancellationToken)));
        return command;
    }

    private static Option<string> FormatOption()
    {
        var format = new Option<string>("--format") { Description = "table (live on a terminal) or json", DefaultValueFactory = _ => "table" };
        format.AcceptOnlyFromAmong("table", "json");
        return format;
    }

    // 500ms, 10s, 2m or a plain number of seconds; positive and at most MaxDuration.
    private static TimeSpan Duration(string text)
    {
        var match = System.Text.RegularExpressions.Regex.Match(text, @"^(\d+(?:\.\d+)?)(ms|s|m|h)?$");
        if (!match.Success)
        {
            throw new FormatException($"--duration must look like 500ms, 10s or 2m, not '{text}'");
        }

        var value = double.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        var duration = match.Groups[2].Value switch
        {
            "ms" => TimeSpan.FromMilliseconds(value),
            "m" => TimeSpan.FromMinutes(value),
            "h" => TimeSpan.FromHours(value),
            _ => TimeSpan.FromSeconds(value),
        };
        return duration > TimeSpan.Zero && duration <= MaxDuration
            ? duration
            : throw new FormatException($"--duration must be more than 0 and at most 1h, not '{text}'");
    }

    private static void ParseDuration(System.CommandLine.Parsing.OptionResult result, string name)
    {
        var token = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
        try
        {
            _ = Duration(token);
        }
        catch (FormatException ex)
        {
            result.AddError(ex.Message.Replace("--duration", name, StringComparison.Ordinal));
        }
    }

    private static void RequirePositive(System.CommandLine.Parsing.OptionResult result, string name) => RequireAtLeast(result, name, 1);

    private static void RequireNotNegative(System.CommandLine.Parsing.OptionResult result, string name) => RequireAtLeast(result, name, 0);

    // A whole number given on the command line (the default is not checked) of at least min.
    private static void RequireAtLeast(System.CommandLine.Parsing.OptionResult result, string name, int min)
    {
        if (result.Implicit)
        {
            return;
        }

        var token = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
        if (!int.TryParse(token, System.Globalization.CultureInfo.InvariantCulture, out var value) || value < min)
        {
            result.AddError($"{name} must be a whole number of at least {min}, not '{token}'");
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
        catch (Exception ex) when (ex is ArgumentException or Configuration.ServiceConfigException or FormatException or Xds.Bootstrap.XdsBootstrapException or FileNotFoundException)
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
