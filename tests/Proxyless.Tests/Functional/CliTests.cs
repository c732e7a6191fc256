using Proxyless.Cli;
using Proxyless.Registry;
using Proxyless.Tests.Support;
using Spectre.Console;

namespace Proxyless.Tests.Functional;

public class CliTests
{
    private static (IAnsiConsole Console, StringWriter Output) Console()
    {
        var output = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Out = new AnsiConsoleOutput(output),
        });
        console.Profile.Width = 200;
        return (console, output);
    }

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
}
