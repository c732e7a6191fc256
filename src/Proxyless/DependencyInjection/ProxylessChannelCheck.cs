using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Proxyless.DependencyInjection;

/// <summary>Options whose validation at host start reads each configured channel's section (ValidateOnStart).</summary>
internal sealed class ProxylessChannelCheck
{
    public IConfigurationSection? Section { get; set; }

    internal sealed class Validator(IServiceProvider services) : IValidateOptions<ProxylessChannelCheck>
    {
        public ValidateOptionsResult Validate(string? name, ProxylessChannelCheck options)
        {
            if (options.Section is not { } section)
            {
                return ValidateOptionsResult.Skip;
            }

            try
            {
                var (target, channelOptions) = ChannelConfigurationReader.Read(section);
                channelOptions.ServiceProvider = services;
                BalancedChannel.Validate(target, channelOptions);
                return ValidateOptionsResult.Success;
            }
            catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or Configuration.ServiceConfigException)
            {
                // The reader's messages start with the key; the policy and the target are checked after it.
                return ValidateOptionsResult.Fail(ex switch
                {
                    InvalidOperationException => ex.Message,
                    Configuration.ServiceConfigException => $"{ConfigurationPath.Combine(section.Path, "ServiceConfig")}: {ex.Message}",
                    _ => $"{ConfigurationPath.Combine(section.Path, "Target")}: {ex.Message}",
                });
            }
        }
    }
}
