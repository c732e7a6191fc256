using System.Diagnostics;

namespace Proxyless.Benchmarks;

/// <summary>Echo backends in a child process (this program with <c>--serve N</c>), so client allocations are measured alone.</summary>
internal sealed class BackendProcess : IDisposable
{
    private readonly Process _process;

    private BackendProcess(Process process, int[] ports)
    {
        _process = process;
        Ports = ports;
    }

    public int[] Ports { get; }

    public static async Task<BackendProcess> StartAsync(int count)
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

        info.ArgumentList.Add("--serve");
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
        // Closing stdin tells the child to stop; kill it if it does not within a few seconds.
        _process.StandardInput.Close();
        if (!_process.WaitForExit(5000))
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }
}
