using System.Diagnostics;
using System.Text;
using Proxyless.Examples;

namespace Proxyless.Tests.Packaging;

/// <summary>
/// The packages as a user gets them: <c>dotnet pack</c> of the seven packages into a local folder without a warning, the
/// <c>proxyless</c> tool installed from it and run, and a fresh console app that references the <c>Proxyless</c>
/// package from that folder (no project reference, none of this repository's build settings) making a balanced call
/// to a real server.
/// </summary>
public sealed class PackageTests : IDisposable
{
    private static readonly TimeSpan StepTimeout = TimeSpan.FromMinutes(5);
    private readonly string _work = Directory.CreateTempSubdirectory("proxyless-packages-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Fact]
    public async Task PackagesPackWithoutWarningsInstallAndServeAFreshApp()
    {
        var repo = RepositoryRoot();
        var feed = Path.Combine(_work, "feed");
        var pack = await RunAsync("dotnet", ["pack", Path.Combine(repo, "Proxyless.Packages.slnf"), "-c", "Release", "-o", feed, "-p:ContinuousIntegrationBuild=true"], repo);
        Assert.True(pack.ExitCode == 0, pack.Output);
        Assert.DoesNotContain(": warning ", pack.Output, StringComparison.OrdinalIgnoreCase); // MSBuild's form: "file(line): warning CODE: ..."
        var packages = Directory.GetFiles(feed).Select(Path.GetFileName).Order().ToArray();
        var version = Path.GetFileNameWithoutExtension(packages.Single(p => p!.StartsWith("Proxyless.Cli.", StringComparison.Ordinal) && p.EndsWith(".nupkg", StringComparison.Ordinal)))!["Proxyless.Cli.".Length..];
        foreach (var id in new[] { "Proxyless", "Proxyless.Etcd", "Proxyless.AspNetCore", "Proxyless.ClientFactory", "Proxyless.ServiceDiscovery", "Proxyless.Xds", "Proxyless.Cli" })
        {
            Assert.Contains($"{id}.{version}.nupkg", packages);
            Assert.Contains($"{id}.{version}.snupkg", packages);
        }

        // The tool, installed from the folder.
        var tools = Path.Combine(_work, "tools");
        var install = await RunAsync("dotnet", ["tool", "install", "Proxyless.Cli", "--tool-path", tools, "--add-source", feed, "--version", version], _work);
        Assert.True(install.ExitCode == 0, install.Output);
        var help = await RunAsync(Path.Combine(tools, "proxyless"), ["--help"], _work);
        Assert.True(help.ExitCode == 0, help.Output);
        Assert.Contains("resolve", help.Output, StringComparison.Ordinal);
        Assert.Contains("registry", help.Output, StringComparison.Ordinal);
        Assert.Contains("xds", help.Output, StringComparison.Ordinal);

        // A fresh console app on the package, calling a real server through round_robin.
        await using var backend = await EchoBackend.StartLoopbackAsync();
        var app = Path.Combine(_work, "app");
        Directory.CreateDirectory(app);
        await File.WriteAllTextAsync(Path.Combine(app, "nuget.config"), $"""
            <configuration>
              <packageSources>
                <clear />
                <add key="local" value="{feed}" />
                <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
              </packageSources>
            </configuration>
            """);
        await File.WriteAllTextAsync(Path.Combine(app, "App.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
                <Nullable>enable</Nullable>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Proxyless" Version="{version}" />
              </ItemGroup>
            </Project>
            """);
        await File.WriteAllTextAsync(Path.Combine(app, "Program.cs"), FreshAppProgram);
        var run = await RunAsync("dotnet", ["run", "--project", app, "--", $"ipv4:{backend.EndPoint}"], app);
        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains($"packaged (from {backend.EndPoint})", run.Output, StringComparison.Ordinal);
    }

    // grpc.examples.echo.Echo/UnaryEcho with hand-encoded protobuf (field 1, a string), so the app needs no code generation.
    private const string FreshAppProgram = """
        using Grpc.Core;
        using Proxyless;

        using var channel = BalancedChannel.Create(args[0], new BalancedChannelOptions
        {
            ServiceConfig = "{\"loadBalancingConfig\":[{\"round_robin\":{}}]}",
        });
        var marshaller = Marshallers.Create<string>(
            s => { var b = System.Text.Encoding.UTF8.GetBytes(s); return [0x0A, (byte)b.Length, .. b]; },
            bytes => System.Text.Encoding.UTF8.GetString(bytes, 2, bytes[1]));
        var method = new Method<string, string>(MethodType.Unary, "grpc.examples.echo.Echo", "UnaryEcho", marshaller, marshaller);
        var reply = await channel.CreateCallInvoker().AsyncUnaryCall(method, null, new CallOptions(deadline: DateTime.UtcNow.AddSeconds(30)), "packaged");
        Console.WriteLine(reply);
        """;

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Proxyless.Packages.slnf")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No Proxyless.Packages.slnf above {AppContext.BaseDirectory}.");
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string command, string[] arguments, string directory)
    {
        var start = new ProcessStartInfo(command)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(start)!;
        var output = new StringBuilder();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(StepTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"'{command} {string.Join(' ', arguments)}' did not finish within {StepTimeout}: {await stdout}{await stderr}");
        }

        output.Append(await stdout).Append(await stderr);
        return (process.ExitCode, $"$ {command} {string.Join(' ', arguments)}\n{output}");
    }
}
