using System.Collections.Concurrent;
using System.Text.Json;
using Proxyless.Balancing.Policies.LeastRequest;
using Proxyless.Balancing.Policies.OutlierDetection;
using Proxyless.Balancing.Policies.PickFirst;
using Proxyless.Balancing.Policies.RingHash;
using Proxyless.Balancing.Policies.RoundRobin;
using Proxyless.Balancing.Policies.Random;
using Proxyless.Balancing.Policies.WeightedRoundRobin;
using Proxyless.Configuration;

namespace Proxyless.Balancing;

/// <summary>
/// Load-balancing policies by name. <see cref="CreateDefault"/> holds the built-in policies (<c>pick_first</c>,
/// <c>round_robin</c>, <c>outlier_detection</c>, ...);
/// add your own with <see cref="Register"/>.
/// </summary>
public sealed class LoadBalancerRegistry
{
    /// <summary>The policy used when a service config names none.</summary>
    public const string DefaultPolicy = "pick_first";

    private readonly ConcurrentDictionary<string, LoadBalancerProvider> _providers = new(StringComparer.Ordinal);

    /// <summary>A registry with the built-in policies.</summary>
    public static LoadBalancerRegistry CreateDefault()
    {
        var registry = new LoadBalancerRegistry();
        registry.Register(new PickFirstLoadBalancerProvider());
        registry.Register(new RoundRobinLoadBalancerProvider());
        registry.Register(new OutlierDetectionLoadBalancerProvider());
        registry.Register(new WeightedRoundRobinLoadBalancerProvider());
        registry.Register(new LeastRequestLoadBalancerProvider());
        registry.Register(new Policies.P2cEwma.P2cEwmaLoadBalancerProvider());
        registry.Register(new Policies.Subsetting.RandomSubsettingLoadBalancerProvider());
        registry.Register(new Policies.Subsetting.RandomSubsettingLoadBalancerProvider(Policies.Subsetting.RandomSubsettingLoadBalancerProvider.ShortName));
        registry.Register(new Policies.Subsetting.DeterministicSubsettingLoadBalancerProvider());
        registry.Register(new RandomLoadBalancerProvider());
        registry.Register(new RingHashLoadBalancerProvider());
        Resolution.OptionalPackages.AddTo(registry);
        return registry;
    }

    /// <summary>Adds or replaces a policy.</summary>
    /// <param name="provider">The policy's provider.</param>
    /// <returns>This registry.</returns>
    public LoadBalancerRegistry Register(LoadBalancerProvider provider)
    {
        ArgumentNullException.ThrowIfNull(provider);
        if (string.IsNullOrWhiteSpace(provider.PolicyName))
        {
            throw new ArgumentException("A policy needs a name.", nameof(provider));
        }

        _providers[provider.PolicyName] = provider;
        return this;
    }

    /// <summary>Looks a policy up by name.</summary>
    /// <param name="policyName">The name.</param>
    /// <param name="provider">The provider.</param>
    public bool TryGet(string policyName, out LoadBalancerProvider provider) => _providers.TryGetValue(policyName, out provider!);

    /// <summary>The registered policy names.</summary>
    public IReadOnlyCollection<string> PolicyNames => _providers.Keys.Order(StringComparer.Ordinal).ToArray();

    /// <summary>
    /// Chooses the policy of a service config: the first <c>loadBalancingConfig</c> entry whose policy is registered,
    /// else the legacy <c>loadBalancingPolicy</c>, else pick_first. Never falls back silently past an unknown list.
    /// </summary>
    /// <param name="serviceConfig">The service config.</param>
    /// <exception cref="ServiceConfigException">No listed policy is registered, or the chosen policy's config is invalid.</exception>
    public PolicySelection SelectPolicy(ServiceConfig serviceConfig)
    {
        ArgumentNullException.ThrowIfNull(serviceConfig);
        if (serviceConfig.LoadBalancingConfigs.Count > 0)
        {
            return SelectAndReport(serviceConfig.LoadBalancingConfigs, "loadBalancingConfig");
        }

        var name = serviceConfig.LoadBalancingPolicy ?? DefaultPolicy;
        if (!_providers.TryGetValue(name, out var provider))
        {
            throw new ServiceConfigException("loadBalancingPolicy", $"policy '{name}' is not registered (registered: {string.Join(", ", PolicyNames)})");
        }

        return new PolicySelection(provider, provider.ParseConfig(new ConfigObject(default, "loadBalancingPolicy"), this));
    }

    /// <summary>Chooses from a policy list as <see cref="SelectFirstRegistered(IReadOnlyList{LoadBalancingPolicySelection}, string)"/>, recording unread fields as warnings.</summary>
    private PolicySelection SelectAndReport(IReadOnlyList<LoadBalancingPolicySelection> entries, string listPath)
    {
        using var fields = ConfigFieldTracker.Begin();
        var selection = SelectFirstRegistered(entries, listPath);
        return selection with { Warnings = [.. selection.Warnings, .. fields.UnknownFields()] };
    }

    /// <summary>
    /// Chooses from a list of policy entries (a service config's list, or a child-policy list inside a policy's config):
    /// the first registered one, with its config parsed.
    /// </summary>
    /// <param name="entries">The entries in order of preference.</param>
    /// <param name="listPath">Path of the list, for the error message.</param>
    /// <exception cref="ServiceConfigException">None is registered, or the chosen config is invalid.</exception>
    internal PolicySelection SelectFirstRegistered(IReadOnlyList<LoadBalancingPolicySelection> entries, string listPath)
    {
        ArgumentNullException.ThrowIfNull(entries);
        foreach (var entry in entries)
        {
            if (_providers.TryGetValue(entry.PolicyName, out var provider))
            {
                return new PolicySelection(provider, provider.ParseConfig(new ConfigObject(entry.Config, entry.FieldPath), this));
            }
        }

        var unknown = string.Join(", ", entries.Select(e => $"'{e.PolicyName}'"));
        throw new ServiceConfigException(listPath, $"none of the policies {unknown} is registered (registered: {string.Join(", ", PolicyNames)})");
    }

    /// <summary>Parses a JSON array of <c>{"policy_name": {config}}</c> entries (a child-policy list) and selects from it.</summary>
    /// <param name="array">The JSON array.</param>
    /// <param name="path">Its path in the document.</param>
    public PolicySelection SelectFirstRegistered(JsonElement array, string path)
        => SelectFirstRegistered(ServiceConfigParser.ParsePolicyList(array, path), path);
}
