using System.Text.Json;
using Proxyless.Cli;
using Proxyless.Tests.Support;
using Spectre.Console;

namespace Proxyless.Tests.Functional;

/// <summary>
/// <c>proxyless load</c> and <c>proxyless watch</c> through their JSON output against real backends: counts, shares,
/// errors by status and the bounds of a run are exact; bad input is one line and exit code 2.
/// </summary>
public class CliLoadWatchTests
{
    private static (IAnsiConsole Console, StringWriter Output) Console() => TestConsole.Create();

    private static async Task<(int Exit, JsonElement Report)> LoadAsync(params string[] args)
    {
        var (console, output) = Console();
        var exit = await ProxylessCommand.RunAsync(["load", .. args, "--format", "json"], console);
        var text = output.ToString();
        Assert.True(text.TrimStart().StartsWith('{'), text);
        return (exit, JsonDocument.Parse(text).RootElement);
    }

    [Fact]
    public async Task LoadMakesExactlyNCallsSharedByThePolicyAndReportsPercentiles()
    {
        await using var backends = await BackendSet.StartAsync(2);
        var (exit, report) = await LoadAsync(backends.Target, "-n", "60", "-c", "4", "--policy", "round_robin");

        Assert.Equal(0, exit);
        Assert.Equal(60, report.GetProperty("calls").GetInt64());
        Assert.Equal(60, report.GetProperty("ok").GetInt64());
        Assert.Equal("round_robin", report.GetProperty("policy").GetString());
        Assert.Equal(60, backends.All.Sum(b => b.State.Calls));
        var shares = report.GetProperty("backends");
        Assert.All(backends.All, b => Assert.Equal(b.State.Calls, shares.GetProperty(b.Address).GetInt64())); // what each server saw
        Assert.All(backends.All, b => Assert.InRange(b.State.Calls, 20, 40)); // round_robin, once both are connected
        var latency = report.GetProperty("latencyMs");
        Assert.True(latency.GetProperty("p50").GetDouble() <= latency.GetProperty("p90").GetDouble());
        Assert.True(latency.GetProperty("p90").GetDouble() <= latency.GetProperty("p99").GetDouble());
        Assert.True(latency.GetProperty("p99").GetDouble() <= latency.GetProperty("max").GetDouble());
        Assert.Empty(report.GetProperty("errors").EnumerateObject());
    }

    [Fact]
    public async Task FailedCallsAreCountedByStatusAndAllFailingIsExitCodeOne()
    {
        await using var backends = await BackendSet.StartAsync(2, (i, o) => o.FailWith = i == 1 ? StatusCode.ResourceExhausted : null);
        var (exit, report) = await LoadAsync(backends.Target, "-n", "40", "-c", "2");
        Assert.Equal(0, exit);
        var failed = report.GetProperty("errors").GetProperty("RESOURCE_EXHAUSTED").GetInt64();
        Assert.Equal(backends[1].State.Calls, failed); // every call the failing backend answered
        Assert.Equal(40 - failed, report.GetProperty("ok").GetInt64());
        Assert.InRange(failed, 10, 30);

        await using var failing = await BackendSet.StartAsync(1, (_, o) => o.FailWith = StatusCode.Unavailable);
        var (allFailed, _) = await LoadAsync(failing.Target, "-n", "5");
        Assert.Equal(1, allFailed);
    }

    [Fact]
    public async Task ARateAndADurationBoundTheRunAndStreamingCallsWork()
    {
        await using var backends = await BackendSet.StartAsync(1);
        var (exit, report) = await LoadAsync(backends.Target, "--duration", "1s", "--rps", "20", "-c", "4", "--call", "stream");
        Assert.Equal(0, exit);
        Assert.Equal("server_streaming", report.GetProperty("call").GetString());
        var calls = report.GetProperty("calls").GetInt64();
        Assert.InRange(calls, 10, 20); // 20 per second for 1 s: starts at 0, 0.05, ..., 0.95 s, never more
        Assert.InRange(report.GetProperty("durationSeconds").GetDouble(), 0.5, 11); // the duration, plus at most a call's deadline
    }

    [Theory]
    [InlineData("--concurrency", "0", "--concurrency must be a whole number of at least 1, not '0'")]
    [InlineData("--duration", "2d", "--duration must look like 500ms, 10s or 2m, not '2d'")]
    [InlineData("--duration", "2h", "--duration must be more than 0 and at most 1h, not '2h'")]
    [InlineData("--rps", "-1", "--rps must be a whole number of at least 0, not '-1'")]
    [InlineData("--call", "bidi", "bidi")]
    public async Task BadLoadOptionsAreOneLineAndExitCodeTwo(string option, string value, string message)
    {
        var (console, output) = Console();
        Assert.Equal(2, await ProxylessCommand.RunAsync(["load", "ipv4:127.0.0.1:1", option, value], console));
        Assert.Contains(message, output.ToString());
        Assert.DoesNotContain("   at ", output.ToString());
    }

    [Fact]
    public async Task WatchPrintsEachLookWithStatesPolicyNotesAndResolverChanges()
    {
        await using var backends = await BackendSet.StartAsync(2);
        var (console, output) = Console();
        var exit = await ProxylessCommand.RunAsync(["watch", backends.Target, "--policy", "weighted_round_robin", "--duration", "1500ms", "--interval-ms", "250", "--rps", "40", "--format", "json"], console);
        Assert.Equal(0, exit);
        var looks = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.InRange(looks.Count, 3, 8); // 1.5 s every 250 ms, and one last look
        var added = looks.SelectMany(l => l.GetProperty("added").EnumerateArray().Select(a => a.GetString())).Order().ToArray();
        Assert.Equal(backends.All.Select(b => b.Address).Order(), added); // each endpoint appears once, as the resolver adds it
        var last = looks[^1];
        Assert.Equal("weighted_round_robin", last.GetProperty("policy").GetString());
        Assert.Equal("Ready", last.GetProperty("state").GetString());
        var subchannels = last.GetProperty("subchannels").EnumerateArray().ToList();
        Assert.Equal(2, subchannels.Count);
        Assert.All(subchannels, s => Assert.Equal("Ready", s.GetProperty("state").GetString()));
        Assert.All(subchannels, s => Assert.StartsWith("weight ", s.GetProperty("note").GetString()));
        Assert.True(backends.All.Sum(b => b.State.Calls) > 0); // --rps drove calls
    }
}
