using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;

namespace Proxyless.DependencyInjection;

/// <summary>
/// A channel built from a configuration section, which follows the section's reloads: a changed service config
/// applies to new picks (calls in flight finish where they are); an invalid one is logged and the last good stays.
/// </summary>
internal sealed class ConfiguredChannel : IDisposable
{
    private readonly IConfigurationSection _section;
    private readonly IDisposable _reloads;
    private string? _serviceConfig;

    public ConfiguredChannel(IConfigurationSection section, IServiceProvider services, Action<BalancedChannelOptions>? configure)
    {
        _section = section;
        var (target, options) = ChannelConfigurationReader.Read(section);
        options.ServiceProvider = services;
        configure?.Invoke(options);
        _serviceConfig = options.ServiceConfig;
        Channel = BalancedChannel.Create(target, options);
        _reloads = ChangeToken.OnChange(section.GetReloadToken, OnReload);
    }

    public BalancedChannel Channel { get; }

    private void OnReload()
    {
        string? json;
        try
        {
            json = ChannelConfigurationReader.ReadServiceConfig(_section);
        }
        catch (InvalidOperationException ex)
        {
            ChannelLog.ReloadRejected(Channel.Controller.Logger, _section.Path, ex.Message);
            return;
        }

        if (json == _serviceConfig)
        {
            return; // another key changed (only the service config follows reloads)
        }

        _serviceConfig = json;
        Channel.Controller.ReloadServiceConfig(json is null ? Configuration.ServiceConfig.Empty : Configuration.ServiceConfig.Parse(json), _section.Path);
    }

    public void Dispose()
    {
        _reloads.Dispose();
        Channel.Dispose();
    }
}
