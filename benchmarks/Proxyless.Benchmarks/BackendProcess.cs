using System.Diagnostics;

namespace Proxyless.Benchmarks;

/// <summary>
/// Echo backends in a child process (this program with <c>--serve N</c>), so client allocations are measured alone.
/// With <c>--serve-until-signal</c> the child stops its server gracefully on SIGTERM, so a scenario can stop it as a
/// service manager would (<see cref="TerminateAsync"/>) or crash it (<see cref="Kill"/>).
/// </summary>
internal sealed class BackendProcess : IDisposable
{
    private readonly Process _process;

    private BackendProcess(Process process, int[] ports)
    {
        _process = process;
        Ports = ports;
    }

    public int[] Ports { get; }

    public static Task<BackendProcess> StartAsync(int count) => StartAsync("--serve", count);

    /// <summary>One backend in its own process that shuts down gracefully on SIGTERM.</summary>
    public static Task<BackendProcess> StartSignalAwareAsync() => StartAsync("--serve-until-signal", 1);

    /// <summary>SIGTERM, and waits for the process to exit.</summary>
    public async Task TerminateAsync()
    {
        using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!;
        await kill.WaitForExitAsync();
        await _process.WaitForExitAsync();
    }

    /// <summary>SIGKILL: a crash, with no goodbye on any connection.</summary>
    public void Kill() => _process.Kill();

    private static async Task<BackendProcess> StartAsync(string mode, int count)
    {
        var info = new ProcessStartInfo(Environment.ProcessPath!)
        {
            RedirectStandardOutput = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet")
        {
            info.ArgumentList.Add(typeof(BackendProcess).Assembly.Location);
        }

        info.ArgumentList.Add(mode);
        info.ArgumentList.Add(count.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var process = Process.Start(info)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (true)
        {
            var line = await process.StandardOutput.ReadLineAsync(timeout.Token) ?? throw new InvalidOperationException("The backend process exited before it printed its ports.");
            if (line.StartsWith("PORTS ", StringComparison.Ordinal))
            {
                return new BackendProcess(process, line[6..].Split(',').Select(int.Parse).ToArray());
            }
        }
    }

    public void Dispose()
    {
        if (_process.HasExited)
        {
            _process.Dispose();
            return;
        }

        // Closing stdin tells the child to stop; kill it if it does not within a few seconds.
        _process.StandardInput.Close();
        if (!_process.WaitForExit(5000))
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }
}
