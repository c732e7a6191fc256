using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Proxyless.Tests.Support;

/// <summary>
/// A real etcd (Debian's etcd-server; ./test.sh installs it) on free loopback ports with a temporary data directory.
/// It can be stopped and started again with the same data, to test what clients do across an etcd restart.
/// </summary>
public sealed class EtcdServer : IAsyncDisposable
{
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "proxyless-etcd-" + Guid.NewGuid().ToString("N"));
    private readonly int _peerPort = FreePort();
    private Process? _process;

    public int ClientPort { get; } = FreePort();

    public string ClientUrl => $"http://127.0.0.1:{ClientPort}";

    public static string? FindBinary()
        => new[] { "/usr/bin/etcd", "/usr/local/bin/etcd" }.FirstOrDefault(File.Exists)
           ?? Environment.GetEnvironmentVariable("PATH")?.Split(':').Select(p => Path.Combine(p, "etcd")).FirstOrDefault(File.Exists);

    /// <summary>
    /// Starts an etcd on free ports. A port found free can be taken by another test before etcd binds it (etcd then
    /// exits at once), so a server that exits while starting is replaced by one on other ports, up to three times.
    /// </summary>
    public static async Task<EtcdServer> StartNewAsync()
    {
        for (var attempt = 1; ; attempt++)
        {
            var server = new EtcdServer();
            try
            {
                await server.StartAsync();
                return server;
            }
            catch (EtcdExitedException) when (attempt < 3)
            {
                await server.DisposeAsync();
            }
        }
    }

    public async Task StartAsync()
    {
        var binary = FindBinary() ?? throw new InvalidOperationException("etcd is not installed; run ./test.sh (it installs etcd-server) or apt-get install -y etcd-server.");
        var info = new ProcessStartInfo(binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
        {
            "--name", "proxyless-test",
            "--data-dir", _dataDir,
            "--listen-client-urls", ClientUrl,
            "--advertise-client-urls", ClientUrl,
            "--listen-peer-urls", $"http://127.0.0.1:{_peerPort}",
            "--initial-advertise-peer-urls", $"http://127.0.0.1:{_peerPort}",
            "--initial-cluster", $"proxyless-test=http://127.0.0.1:{_peerPort}",
            "--log-level", "error",
        })
        {
            info.ArgumentList.Add(arg);
        }

        var errors = new System.Collections.Concurrent.ConcurrentQueue<string>();
        _process = Process.Start(info)!;
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { } line && errors.Count < 20)
            {
                errors.Enqueue(line);
            }
        };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        // Ready when the client port answers a real request.
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        await Eventually.TrueAsync(
            async () =>
            {
                if (_process.HasExited)
                {
                    throw new EtcdExitedException($"etcd exited with code {_process.ExitCode} (client port {ClientPort}, peer port {_peerPort}): {string.Join(" | ", errors)}");
                }

                try
                {
                    return (await http.GetAsync($"{ClientUrl}/health")).IsSuccessStatusCode;
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                {
                    return false;
                }
            },
            "etcd to become healthy",
            TimeSpan.FromSeconds(30));
    }

    public async Task StopAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process?.Dispose();
        _process = null;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        try
        {
            Directory.Delete(_dataDir, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>etcd exited while starting (for example, another process took its port first).</summary>
    private sealed class EtcdExitedException(string message) : InvalidOperationException(message);
}
