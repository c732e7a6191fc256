using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Proxyless.Configuration;
using Proxyless.Diagnostics;
using Proxyless.Resolution;
using Proxyless.Xds.Bootstrap;
using Proxyless.Xds.Client;
using Proxyless.Xds.Policies;
using Proxyless.Xds.Resources;

namespace Proxyless.Xds.Resolver;

/// <summary>
/// The <c>xds</c> resolver: a shared <see cref="XdsClient"/> for the target's control plane, a dependency manager
/// from the target's listener, and for every complete <see cref="XdsConfig"/> one result: the endpoints of all its
/// clusters (for diagnostics), a service config naming <c>xds_cluster_manager_experimental</c> with one
/// <c>cds_experimental</c> child per cluster, and the config itself as an attribute.
/// </summary>
internal sealed class XdsResolver : Proxyless.Resolution.Resolver
{
    private readonly XdsServerConfig _server;
    private readonly XdsNode _node;
    private readonly string _listenerName;
    private readonly string _authority;
    private readonly ResolverOptions _options;
    private XdsClientPool.Lease? _lease;
    private XdsDependencyManager? _manager;

    public XdsResolver(ResolverTarget target, XdsBootstrap bootstrap, ResolverOptions options)
    {
        _options = options;
        _authority = target.Endpoint;
        if (target.Authority.Length == 0)
        {
            _server = bootstrap.Servers[0];
            _listenerName = Expand(bootstrap.ClientDefaultListenerResourceNameTemplate, target.Endpoint);
        }
        else if (bootstrap.Authorities.TryGetValue(target.Authority, out var authority))
        {
            _server = authority.Servers is { Count: > 0 } servers ? servers[0] : bootstrap.Servers[0];
            _listenerName = Expand(authority.ClientListenerResourceNameTemplate, target.Endpoint);
        }
        else
        {
            throw new ArgumentException($"Target '{target.Original}' names xDS authority '{target.Authority}', which the bootstrap's authorities do not list (listed: {string.Join(", ", bootstrap.Authorities.Keys)}).", nameof(target));
        }

        _node = bootstrap.Node;
    }

    /// <summary>The listener resource this channel starts from.</summary>
    public string ListenerName => _listenerName;

    public override void Start(Action<ResolverResult> listener)
    {
        _lease = XdsClientPool.Acquire(_server, _node, _options.LoggerFactory);
        _manager = new XdsDependencyManager(
            _lease.Client,
            _listenerName,
            _authority,
            config => listener(ToResult(config)),
            error => listener(ResolverResult.ForFailure(new Status(StatusCode.Unavailable, $"xDS: {error}"))),
            _options.LoggerFactory.CreateLogger<XdsResolver>(),
            _options);
        _manager.Start();
    }

    public override void RefreshResolution() => _manager?.Refresh();

    /// <summary>Every resource of the (shared) xDS client, in dependency order: what CSDS would report for it.</summary>
    public override IReadOnlyList<ResourceDiagnostics> DescribeResources()
    {
        if (_lease is not { } lease)
        {
            return [];
        }

        var order = XdsResourceTypes.All.Select(t => t.TypeUrl).ToList();
        return lease.Client.GetStatus()
            .OrderBy(s => order.IndexOf(s.TypeUrl)).ThenBy(s => s.Name, StringComparer.Ordinal)
            .Select(s => new ResourceDiagnostics(XdsResourceTypes.Find(s.TypeUrl)?.ShortName ?? s.TypeUrl, s.Name, s.StatusName, s.Version, s.Error, s.LastUpdated)
            {
                Json = s.Raw is { } raw ? XdsResourceTypes.JsonFormatter.Format(new Google.Protobuf.WellKnownTypes.Any { TypeUrl = s.TypeUrl, Value = raw }) : null,
            })
            .ToArray();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _manager?.Dispose();
            _lease?.Dispose();
        }

        base.Dispose(disposing);
    }

    private static ResolverResult ToResult(XdsConfig config)
    {
        var json = ServiceConfigJson(config.Clusters.Keys.Where(c => config.VirtualHost.Routes.Any(r => r.Action.Clusters.Any(w => w.Name == c))));
        var endpoints = config.Clusters.Values
            .SelectMany(c => c.Endpoints?.Localities.SelectMany(l => l.Endpoints.Where(e => e.IsUsable)).Select(e => new BackendEndpoint(e.Addresses.Select(a => new BackendAddress(a)).ToList())) ?? [])
            .ToList();
        return ResolverResult.ForEndpoints(endpoints, ServiceConfig.Parse(json), Attributes.Empty.With(XdsConfig.Key, config));
    }

    /// <summary>The service config for a set of clusters: one cds child each under xds_cluster_manager.</summary>
    public static string ServiceConfigJson(IEnumerable<string> clusters)
    {
        var children = new JsonObject();
        foreach (var cluster in clusters)
        {
            children[ClusterManagerLoadBalancer.ChildName(cluster)] = new JsonObject
            {
                ["childPolicy"] = new JsonArray(new JsonObject { [CdsLoadBalancer.Name] = new JsonObject { ["cluster"] = cluster } }),
            };
        }

        var manager = new JsonObject { [ClusterManagerLoadBalancer.Name] = new JsonObject { ["children"] = children } };
        return new JsonObject { ["loadBalancingConfig"] = new JsonArray(manager) }.ToJsonString();
    }

    // A47: %s is replaced by the target's name, percent-encoded when the template is an xdstp: name.
    private static string Expand(string template, string name)
        => template.Replace("%s", template.StartsWith("xdstp:", StringComparison.Ordinal) ? Uri.EscapeDataString(name).Replace("%2F", "/", StringComparison.Ordinal) : name, StringComparison.Ordinal);
}
