using Proxyless.Cli;
using Proxyless.Discovery;
using Proxyless.Tests.Support;
using Spectre.Console;

namespace Proxyless.Tests.Functional;

public class CliTests
{
    private static (IAnsiConsole Console, StringWriter Output) Console() => TestConsole.Create();

    [Fact]
    public async Task CallShowsWhichBackendServedEachCall()
    {
        await using var backends = await BackendSet.StartAsync(2);
        var (console, output) = Console();
        var exit = await ProxylessCommand.RunAsync(["call", backends.Target, "--policy", "round_robin", "-n", "8", "--message", "cli"], console);
        var text = output.ToString();
        Assert.True(exit == 0, text);
        Assert.Contains(backends[0].Address, text);
        Assert.Contains(backends[1].Address, text);
        Assert.Contains("cli (from", text);
        Assert.Contains("8 calls with round_robin: 8 ok, 0 failed", text);
    }

    [Fact]
    public async Task BadInputIsOneClearLineAndExitCodeTwo()
    {
        var (console, output) = Console();
        Assert.Equal(2, await ProxylessCommand.RunAsync(["call", "ipv4:127.0.0.1:1", "--policy", "nope"], console));
        Assert.Contains("'nope'", output.ToString());
        Assert.DoesNotContain("   at ", output.ToString()); // no stack trace

        var (console2, output2) = Console();
        Assert.Equal(2, await ProxylessCommand.RunAsync(["resolve", "ipv4:999.1.1.1:5"], console2));
        Assert.Contains("is not an IPv4 address", output2.ToString());

        var (console3, output3) = Console();
        Assert.Equal(2, await ProxylessCommand.RunAsync(["registry", "list", "hello", "--registry", "zk://10.0.0.1"], console3));
        Assert.Contains("Registry 'zk://10.0.0.1' is not 'file', 'file:/dir' or 'etcd://host:port'", output3.ToString());
    }

    [Fact]
    public async Task ResolvePrintsTheEndpoints()
    {
        var (console, output) = Console();
        Assert.Equal(0, await ProxylessCommand.RunAsync(["resolve", "ipv6:[::1]:7001,[::1]:7002"], console));
        Assert.Contains("2 endpoint(s)", output.ToString());
        Assert.Contains("[::1]:7002", output.ToString());
    }

    [Fact]
    public async Task RegistryListShowsRegisteredInstances()
    {
        var directory = Path.Combine(Path.GetTempPath(), "proxyless-cli-" + Guid.NewGuid().ToString("N"));
        try
        {
            await using (var registry = new FileRegistry(new FileRegistryOptions { Directory = directory }))
            {
                await registry.RegisterAsync(FileRegistryTests.Instance("cli-one", "127.0.0.1:5001"));
                var (console, output) = Console();
                Assert.Equal(0, await ProxylessCommand.RunAsync(["registry", "list", "hello", "--registry", "file:" + directory], console));
                Assert.Contains("1 instance(s)", output.ToString());
                Assert.Contains("cli-one", output.ToString());
                Assert.Contains("127.0.0.1:5001", output.ToString());
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task AnUnreachableRegistryIsOneLineAndExitCodeOne()
    {
        var (console, output) = Console();
        var closed = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        closed.Start();
        var port = ((System.Net.IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();
        Assert.Equal(1, await ProxylessCommand.RunAsync(["registry", "list", "hello", "--registry", $"etcd://127.0.0.1:{port}"], console));
        var text = output.ToString().Trim();
        Assert.StartsWith($"registry etcd://127.0.0.1:{port} cannot be reached: Unavailable", text, StringComparison.Ordinal);
        Assert.DoesNotContain("\n", text);
        Assert.DoesNotContain("   at ", text);
    }

    [Theory]
    [InlineData("call", "ipv4:127.0.0.1:1", "-n", "-3", "--count must be a whole number of at least 1, not '-3'")]
    [InlineData("call", "ipv4:127.0.0.1:1", "-n", "0", "--count must be a whole number of at least 1, not '0'")]
    [InlineData("resolve", "ipv4:127.0.0.1:1", "--timeout-ms", "-1", "--timeout-ms must be a whole number of at least 1, not '-1'")]
    [InlineData("call", "etcd:///hello", "-n", "1", "Target 'etcd:///hello' needs an etcd registry: add --registry etcd://host:port.")]
    public async Task OutOfRangeOptionsAreBadInput(string command, string target, string option, string value, string message)
    {
        var (console, output) = Console();
        Assert.Equal(2, await ProxylessCommand.RunAsync([command, target, option, value], console));
        Assert.Equal(message, output.ToString().Trim());
    }

    [Fact]
    public async Task TheSummaryNamesThePolicyTheServiceConfigChose()
    {
        await using var backends = await BackendSet.StartAsync(2);
        var (console, output) = Console();
        var exit = await ProxylessCommand.RunAsync(["call", backends.Target, "-n", "4", "-q", "--service-config", """{"loadBalancingConfig":[{"pick_first":{}}]}"""], console);
        Assert.True(exit == 0, output.ToString());
        Assert.Contains("4 calls with pick_first: 4 ok, 0 failed", output.ToString());
    }

    [Fact]
    public async Task RegistryTargetsUseTheFileRegistryByDefaultAsRegistryListDoes()
    {
        var service = "cli-default-" + Guid.NewGuid().ToString("N")[..8];
        await using var registry = new FileRegistry();
        await registry.RegisterAsync(new ServiceInstance(service, "1", "one", [new InstanceEndpoint(["127.0.0.1:5001"])], new Dictionary<string, string>()));
        try
        {
            var (console, output) = Console();
            Assert.Equal(0, await ProxylessCommand.RunAsync(["resolve", $"registry:///{service}"], console));
            Assert.Contains("1 endpoint(s)", output.ToString());
            Assert.Contains("127.0.0.1:5001", output.ToString());
        }
        finally
        {
            await registry.DeregisterAsync(new ServiceInstance(service, "1", "one", [new InstanceEndpoint(["127.0.0.1:5001"])], new Dictionary<string, string>()));
            Directory.Delete(Path.Combine(FileRegistryOptions.DefaultDirectory, service), recursive: true);
        }
    }

    [Fact]
    public async Task RegistryListReportsSkippedEntries()
    {
        var directory = Path.Combine(Path.GetTempPath(), "proxyless-cli-" + Guid.NewGuid().ToString("N"));
        try
        {
            await using var registry = new FileRegistry(new FileRegistryOptions { Directory = directory });
            await registry.RegisterAsync(FileRegistryTests.Instance("good", "127.0.0.1:5001"));
            var bad = Path.Combine(directory, "hello", "bad.json");
            await File.WriteAllTextAsync(bad, """{"name":"hello","id":"bad","endpoints":[]}""");
            var (console, output) = Console();
            Assert.Equal(0, await ProxylessCommand.RunAsync(["registry", "list", "hello", "--registry", "file:" + directory], console));
            Assert.Contains("1 instance(s)", output.ToString());
            Assert.Contains("1 entry skipped:", output.ToString());
            Assert.Contains($"{bad}: 'endpoints' must be a non-empty array", output.ToString());
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task OutputToAPipeIsNeverWrapped()
    {
        await using var backends = await BackendSet.StartAsync(1);
        var message = new string('x', 300);
        var info = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        // The CLI's own build output (the copy beside the tests lacks its dependencies, which the tests get from ASP.NET Core).
        var cli = AppContext.BaseDirectory.Replace(Path.Combine("tests", "Proxyless.Tests"), Path.Combine("src", "Proxyless.Cli"), StringComparison.Ordinal);
        foreach (var arg in new[] { Path.Combine(cli, "Proxyless.Cli.dll"), "call", backends.Target, "-n", "1", "--message", message })
        {
            info.ArgumentList.Add(arg);
        }

        using var process = System.Diagnostics.Process.Start(info)!;
        var stdout = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, stdout + await process.StandardError.ReadToEndAsync());
        Assert.Contains($"{message} (from {backends[0].Address})", stdout); // on one line
    }
}
