using System.Collections.Concurrent;
using System.Diagnostics;

namespace Proxyless.Tests.Support;

/// <summary>
/// An echo backend in a child process (Proxyless.TestServer), so a test can crash it for real (SIGKILL) or stop it as
/// a service manager would (SIGTERM). Records the call ids the server reported receiving. Killed on disposal.
/// </summary>
internal sealed class ServerProcess : IDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _received = new();
    private readonly TaskCompletionSource<string> _address = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _outputEnded = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ServerProcess(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                _outputEnded.TrySetResult();
            }
            else if (e.Data.StartsWith("received ", StringComparison.Ordinal))
            {
                _received.Enqueue(e.Data["received ".Length..]);
            }
            else if (e.Data.StartsWith("serving on ", StringComparison.Ordinal))
            {
                _address.TrySetResult(e.Data["serving on ".Length..].Split(',')[0]);
            }
        };
        process.BeginOutputReadLine();
    }

    /// <summary>The address it serves on, e.g. <c>127.0.0.1:41234</c>.</summary>
    public string Address { get; private set; } = "";

    /// <summary>The call ids the server reported receiving (complete once the process has exited).</summary>
    public IReadOnlyCollection<string> Received => _received;

    public static async Task<ServerProcess> StartAsync(int delayMs = 0)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "Proxyless.TestServer.dll");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, UseShellExecute = false };
        info.ArgumentList.Add(dll);
        info.ArgumentList.Add("--delay-ms");
        info.ArgumentList.Add(delayMs.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var server = new ServerProcess(Process.Start(info)!);
        server.Address = await server._address.Task.WaitAsync(TimeSpan.FromSeconds(60));
        return server;
    }

    /// <summary>Crashes the server: SIGKILL, no goodbye on any connection.</summary>
    public Task KillAsync()
    {
        _process.Kill();
        return WaitForExitAsync();
    }

    /// <summary>Asks the server to stop, as a service manager does (SIGTERM): it drains gracefully.</summary>
    public async Task TerminateAsync()
    {
        using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync();
        Assert.Equal(0, kill.ExitCode);
        await WaitForExitAsync();
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
        }

        _process.Dispose();
    }

    private async Task WaitForExitAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _process.WaitForExitAsync(timeout.Token);
        await _outputEnded.Task.WaitAsync(timeout.Token);
    }
}
