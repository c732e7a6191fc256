using System.Net;
using Proxyless.Examples;

namespace Proxyless.Tests.Support;

/// <summary>Several echo backends on loopback with free ports, stopped on disposal.</summary>
internal sealed class BackendSet : IAsyncDisposable
{
    private readonly List<EchoBackend> _backends;

    private BackendSet(List<EchoBackend> backends) => _backends = backends;

    public EchoBackend this[int index] => _backends[index];

    public int Count => _backends.Count;

    public IReadOnlyList<EchoBackend> All => _backends;

    /// <summary>An <c>ipv4:</c> target listing every backend.</summary>
    public string Target => "ipv4:" + string.Join(",", _backends.Select(b => b.Address));

    public static async Task<BackendSet> StartAsync(int count, Action<int, EchoBackendOptions>? configure = null)
    {
        var backends = new List<EchoBackend>();
        for (var i = 0; i < count; i++)
        {
            var index = i;
            backends.Add(await EchoBackend.StartLoopbackAsync(o => configure?.Invoke(index, o)));
        }

        return new BackendSet(backends);
    }

    /// <summary>Stops backend <paramref name="index"/> and starts a fresh one on the same port.</summary>
    public async Task RestartAsync(int index, Action<EchoBackendOptions>? configure = null)
    {
        var old = _backends[index];
        await old.StopAsync();
        _backends[index] = await EchoBackend.StartAsync(new IPEndPoint(IPAddress.Loopback, old.Port), configure);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var backend in _backends)
        {
            await backend.DisposeAsync();
        }
    }
}
