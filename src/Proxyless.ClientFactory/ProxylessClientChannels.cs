using System.Collections.Concurrent;
using Grpc.Net.ClientFactory;
using Microsoft.Extensions.Options;

namespace Proxyless.ClientFactory;

/// <summary>
/// One <see cref="BalancedChannel"/> per gRPC client name (not per resolved client instance), created from the
/// client's address the first time its options are read, and disposed with the container.
/// </summary>
internal sealed class ProxylessClientChannels(IServiceProvider services, IOptionsMonitor<ProxylessClientOptions> options) : IDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<BalancedChannel>> _channels = new(StringComparer.Ordinal);
    private bool _disposed;

    /// <summary>The channel of <paramref name="name"/>, created for <paramref name="address"/> on first use.</summary>
    /// <exception cref="InvalidOperationException">The address is not a target Proxyless can resolve, or the options are invalid; the message names the client.</exception>
    public BalancedChannel GetOrCreate(string name, Uri? address)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _channels.GetOrAdd(name, n => new Lazy<BalancedChannel>(() => Create(n, address))).Value;
    }

    /// <summary>The channel of <paramref name="name"/>, which its options created.</summary>
    public BalancedChannel Get(string name, IOptionsMonitor<GrpcClientFactoryOptions> clientOptions)
    {
        clientOptions.Get(name); // creates the channel (ProxylessClientOptionsSetup) if nothing did yet
        return _channels.TryGetValue(name, out var channel)
            ? channel.Value
            : throw new InvalidOperationException($"gRPC client '{name}' has no Proxyless channel; call UseProxyless() on it.");
    }

    private BalancedChannel Create(string name, Uri? address)
    {
        if (address is null)
        {
            throw new InvalidOperationException($"gRPC client '{name}' uses Proxyless but has no address; set a target, e.g. services.AddGrpcClient<T>(o => o.Address = new Uri(\"dns:///greeter:5000\")).");
        }

        var channelOptions = new BalancedChannelOptions { ServiceProvider = services };
        foreach (var configure in options.Get(name).Configure)
        {
            configure(channelOptions);
        }

        try
        {
            return BalancedChannel.Create(address.OriginalString, channelOptions);
        }
        catch (Exception ex) when (ex is ArgumentException or Configuration.ServiceConfigException)
        {
            throw new InvalidOperationException($"gRPC client '{name}': {ex.Message}", ex);
        }
    }

    public void Dispose()
    {
        _disposed = true;
        foreach (var channel in _channels.Values)
        {
            if (channel.IsValueCreated)
            {
                channel.Value.Dispose();
            }
        }
    }
}
