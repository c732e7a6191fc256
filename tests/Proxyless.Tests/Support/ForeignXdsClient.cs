using System.Diagnostics;
using System.Text.Json;

namespace Proxyless.Tests.Support;

/// <summary>
/// An xDS client we did not write, run as a child process: grpc-js with @grpc/grpc-js-xds (node) or Python grpcio
/// (gRPC C-core), from tests/interop/xds. It reads its bootstrap from <c>GRPC_XDS_BOOTSTRAP_CONFIG</c>.
/// </summary>
internal sealed class ForeignXdsClient : IDisposable
{
    private readonly Process _process;
    private readonly System.Text.StringBuilder _errors = new();

    private ForeignXdsClient(Process process)
    {
        _process = process;
        process.ErrorDataReceived += (_, e) =>
        {
            lock (_errors)
            {
                _errors.AppendLine(e.Data);
            }
        };
        process.BeginErrorReadLine();
    }

    /// <summary>True when the client process has ended (crashed: a watching client only ends when told to).</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>Waits up to <paramref name="timeout"/> for the process to end.</summary>
    public async Task WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            // still running
        }
    }

    /// <summary>The last lines the client wrote to stderr.</summary>
    public string ErrorTail
    {
        get
        {
            lock (_errors)
            {
                var lines = _errors.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
                return string.Join(" | ", lines.TakeLast(3));
            }
        }
    }

    public enum Kind
    {
        GrpcJs,
        GrpcPython,
    }

    /// <summary>The node id a client of this kind presents (so control plane replies can be told apart).</summary>
    public static string NodeId(Kind kind) => kind == Kind.GrpcJs ? "grpc-js" : "grpc-python";

    /// <summary>Starts a client that follows the control plane for <paramref name="target"/> until disposed.</summary>
    public static async Task<ForeignXdsClient> WatchAsync(Kind kind, string bootstrap, string target)
    {
        var process = Start(kind, bootstrap, target, "watch");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var line = await process.StandardOutput.ReadLineAsync(timeout.Token);
        if (line != "watching")
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{kind} did not start: {line} {await process.StandardError.ReadToEndAsync(timeout.Token)}");
        }

        return new ForeignXdsClient(process);
    }

    /// <summary>Makes <paramref name="calls"/> unary Echo calls and returns how many each backend served.</summary>
    public static async Task<(Dictionary<string, int> Counts, int Failures, string Errors)> CallAsync(Kind kind, string bootstrap, string target, int calls)
    {
        using var process = Start(kind, bootstrap, target, "calls", calls.ToString(System.Globalization.CultureInfo.InvariantCulture));
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var errors = process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        var text = await output;
        Assert.True(process.ExitCode == 0 && text.TrimStart().StartsWith('{'), $"{kind} failed ({process.ExitCode}): {text} {await errors}");
        using var json = JsonDocument.Parse(text);
        var counts = json.RootElement.GetProperty("counts").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt32());
        return (counts, json.RootElement.GetProperty("failures").GetInt32(), json.RootElement.GetProperty("errors").GetRawText());
    }

    public void Dispose()
    {
        try
        {
            _process.StandardInput.Close();
            if (!_process.WaitForExit(5000))
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // already gone
        }

        _process.Dispose();
    }

    private static Process Start(Kind kind, string bootstrap, string target, params string[] args)
    {
        var directory = Directory;
        var info = kind == Kind.GrpcJs
            ? new ProcessStartInfo("node", [Path.Combine(directory, "client.js"), target, .. args])
            : new ProcessStartInfo("/usr/bin/python3", [Path.Combine(directory, "client.py"), target, .. args]);
        info.RedirectStandardInput = true;
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        info.WorkingDirectory = directory;
        info.Environment["GRPC_XDS_BOOTSTRAP_CONFIG"] = bootstrap;

        // gRPC 1.51 (Debian's grpcio) reads load_balancing_policy (A52) only with this; later versions always do.
        info.Environment["GRPC_EXPERIMENTAL_XDS_CUSTOM_LB_CONFIG"] = "true";
        info.Environment.Remove("GRPC_XDS_BOOTSTRAP");
        return Process.Start(info)!;
    }

    /// <summary>tests/interop/xds, where the client scripts and grpc-js's node_modules are.</summary>
    public static string Directory
    {
        get
        {
            var root = AppContext.BaseDirectory;
            while (!File.Exists(Path.Combine(root, "tests", "interop", "xds", "client.js")))
            {
                root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("tests/interop/xds not found above the test's directory");
            }

            var directory = Path.Combine(root, "tests", "interop", "xds");
            Assert.True(System.IO.Directory.Exists(Path.Combine(directory, "node_modules", "@grpc", "grpc-js-xds")), "tests/interop/xds/node_modules is missing: ./test.sh installs it (npm ci --prefix tests/interop/xds)");
            return directory;
        }
    }
}
