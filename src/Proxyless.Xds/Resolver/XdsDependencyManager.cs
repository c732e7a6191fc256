using System.Net;
using Microsoft.Extensions.Logging;
using Proxyless.Balancing;
using Proxyless.Resolution;
using Proxyless.Xds.Client;
using Proxyless.Xds.Resources;

namespace Proxyless.Xds.Resolver;

/// <summary>
/// gRFC A74's dependency manager: from the listener name it follows LDS → RDS (unless inline) → the virtual host for
/// the channel's authority → every cluster its routes name → aggregate clusters' children (depth-first, at most 16
/// deep, no cycles, A37) → EDS for EDS clusters and a DNS lookup for LOGICAL_DNS ones. It reports a complete
/// <see cref="XdsConfig"/> once every dependency has arrived or failed, and again after every change; a listener or
/// route configuration that is missing or invalid is reported as an error. Watches no longer needed are dropped.
/// All its work runs on one serializer.
/// </summary>
internal sealed class XdsDependencyManager : IDisposable
{
    private const int MaxAggregateDepth = 16;

    private readonly XdsClient _client;
    private readonly string _listenerName;
    private readonly string _authority;
    private readonly Action<XdsConfig> _onConfig;
    private readonly Action<string> _onError;
    private readonly WorkSerializer _serializer;
    private readonly ResolverOptions _resolverOptions;
    private readonly CancellationTokenSource _disposed = new();
    private readonly Dictionary<string, Watch> _clusters = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Watch> _endpoints = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DnsLookup> _dnsLookups = new(StringComparer.Ordinal);
    private Watch? _listener;
    private Watch? _routes;

    public XdsDependencyManager(XdsClient client, string listenerName, string authority, Action<XdsConfig> onConfig, Action<string> onError, ILogger logger, ResolverOptions resolverOptions)
    {
        _client = client;
        _listenerName = listenerName;
        _authority = authority;
        _onConfig = onConfig;
        _onError = onError;
        _serializer = new WorkSerializer(logger);
        _resolverOptions = resolverOptions;
    }

    public void Start() => _serializer.Post(() => _listener = Subscribe(XdsResourceTypes.Listener, _listenerName));

    /// <summary>A policy asked for re-resolution: LOGICAL_DNS clusters look their host names up again (rate-limited).</summary>
    public void Refresh() => _serializer.Post(() =>
    {
        foreach (var lookup in _dnsLookups.Values)
        {
            lookup.Resolver.RefreshResolution();
        }
    });

    public void Dispose()
    {
        _disposed.Cancel();
        _serializer.Post(() =>
        {
            foreach (var watch in new[] { _listener, _routes }.Concat(_clusters.Values).Concat(_endpoints.Values))
            {
                watch?.Subscription.Dispose();
            }

            foreach (var lookup in _dnsLookups.Values)
            {
                lookup.Resolver.Dispose();
            }

            _clusters.Clear();
            _endpoints.Clear();
            _dnsLookups.Clear();
        });
    }

    private Watch Subscribe(XdsResourceType type, string name)
    {
        var watch = new Watch(this);
        watch.Subscription = _client.Watch(type, name, watch);
        return watch;
    }

    private void Update()
    {
        if (_disposed.IsCancellationRequested)
        {
            return;
        }

        var listener = _listener!;
        if (listener.Value is not XdsListener lds)
        {
            if (listener.Error is { } error)
            {
                _onError($"listener {_listenerName}: {error}");
            }

            return;
        }

        // RDS: follow the listener's route configuration name, or drop the watch when routes are inline.
        XdsRouteConfig? routeConfig = lds.InlineRouteConfig;
        if (lds.RouteConfigName is { } rdsName)
        {
            if (_routes?.Name != rdsName)
            {
                _routes?.Subscription.Dispose();
                _routes = Subscribe(XdsResourceTypes.RouteConfiguration, rdsName);
                _routes.Name = rdsName;
            }

            if (_routes.Value is not XdsRouteConfig rds)
            {
                if (_routes.Error is { } error)
                {
                    _onError($"route configuration {rdsName}: {error}");
                }

                return;
            }

            routeConfig = rds;
        }
        else if (_routes is not null)
        {
            _routes.Subscription.Dispose();
            _routes = null;
        }

        var host = VirtualHostSelector.Select(routeConfig!.VirtualHosts, _authority);
        if (host is null)
        {
            _onError($"route configuration {routeConfig.Name} has no virtual host for \"{_authority}\"");
            return;
        }

        // CDS: the clusters the host's routes name, and the children of aggregate clusters.
        var roots = host.Routes.Where(r => r.Action.Kind == XdsRouteActionKind.Route).SelectMany(r => r.Action.Clusters).Select(c => c.Name).Distinct(StringComparer.Ordinal).ToList();
        var needed = new HashSet<string>(StringComparer.Ordinal);
        var states = new Dictionary<string, XdsClusterState>(StringComparer.Ordinal);
        var neededEndpoints = new HashSet<string>(StringComparer.Ordinal);
        var neededDns = new HashSet<string>(StringComparer.Ordinal);
        var complete = true;
        foreach (var root in roots)
        {
            complete &= Resolve(root, [], needed, states, neededEndpoints, neededDns);
        }

        Prune(_clusters, needed);
        Prune(_endpoints, neededEndpoints);
        foreach (var gone in _dnsLookups.Keys.Where(k => !neededDns.Contains(k)).ToList())
        {
            _dnsLookups[gone].Resolver.Dispose();
            _dnsLookups.Remove(gone);
        }

        if (complete)
        {
            _onConfig(new XdsConfig(lds, routeConfig, host, states));
        }
    }

    // Resolves one cluster into states; false while something it needs has not arrived yet.
    private bool Resolve(string name, List<string> path, HashSet<string> needed, Dictionary<string, XdsClusterState> states, HashSet<string> neededEndpoints, HashSet<string> neededDns)
    {
        if (states.ContainsKey(name))
        {
            return true;
        }

        needed.Add(name);
        if (!_clusters.TryGetValue(name, out var watch))
        {
            _clusters[name] = watch = Subscribe(XdsResourceTypes.Cluster, name);
        }

        if (watch.Value is not XdsCluster cluster)
        {
            if (watch.Error is { } error)
            {
                states[name] = new XdsClusterState(null, $"cluster {name}: {error}");
                return true;
            }

            return false;
        }

        switch (cluster.Kind)
        {
            case XdsClusterKind.Eds:
                var serviceName = cluster.EdsServiceName.Length > 0 ? cluster.EdsServiceName : cluster.Name;
                neededEndpoints.Add(serviceName);
                if (!_endpoints.TryGetValue(serviceName, out var eds))
                {
                    _endpoints[serviceName] = eds = Subscribe(XdsResourceTypes.Endpoints, serviceName);
                }

                if (eds.Value is XdsEndpoints endpoints)
                {
                    states[name] = new XdsClusterState(cluster, null, endpoints);
                    return true;
                }

                if (eds.Error is { } edsError)
                {
                    states[name] = new XdsClusterState(null, $"cluster {name}: endpoints {serviceName}: {edsError}");
                    return true;
                }

                return false;
            case XdsClusterKind.LogicalDns:
                var host = $"{cluster.DnsHost}:{cluster.DnsPort}";
                neededDns.Add(host);
                if (!_dnsLookups.TryGetValue(host, out var lookup))
                {
                    _dnsLookups[host] = lookup = new DnsLookup(this, cluster.DnsHost, cluster.DnsPort);
                }

                if (lookup.Addresses is { } addresses)
                {
                    states[name] = new XdsClusterState(cluster, null, DnsAddresses: addresses);
                    return true;
                }

                if (lookup.Error is { } dnsError)
                {
                    states[name] = new XdsClusterState(null, $"cluster {name}: {dnsError}"); // the resolver's error names the host
                    return true;
                }

                return false;
            default:
                if (path.Count >= MaxAggregateDepth || path.Contains(name))
                {
                    states[name] = new XdsClusterState(null, path.Contains(name)
                        ? $"aggregate cluster {name} contains itself ({string.Join(" → ", path.Append(name))})"
                        : $"aggregate cluster {name} nests deeper than {MaxAggregateDepth}");
                    return true;
                }

                var complete = true;
                path.Add(name);
                foreach (var child in cluster.AggregateChildren)
                {
                    complete &= Resolve(child, path, needed, states, neededEndpoints, neededDns);
                }

                path.RemoveAt(path.Count - 1);
                if (!complete)
                {
                    return false;
                }

                // The leaves in priority order, each once (A37); an aggregate's error stands for it.
                var leaves = new List<string>();
                foreach (var child in cluster.AggregateChildren)
                {
                    var state = states[child];
                    foreach (var leaf in state.LeafClusters ?? (state.Cluster is not null ? [child] : []))
                    {
                        if (!leaves.Contains(leaf))
                        {
                            leaves.Add(leaf);
                        }
                    }
                }

                states[name] = leaves.Count == 0
                    ? new XdsClusterState(null, $"aggregate cluster {name} has no usable clusters ({string.Join("; ", cluster.AggregateChildren.Select(c => states[c].Error).OfType<string>())})")
                    : new XdsClusterState(cluster, null, LeafClusters: leaves);
                return true;
        }
    }

    private static void Prune(Dictionary<string, Watch> watches, HashSet<string> keep)
    {
        foreach (var name in watches.Keys.Where(n => !keep.Contains(n)).ToList())
        {
            watches[name].Subscription.Dispose();
            watches.Remove(name);
        }
    }

    /// <summary>One watched resource: its last value or error, relayed onto the manager's serializer.</summary>
    private sealed class Watch(XdsDependencyManager owner) : IXdsWatcher
    {
        public IDisposable Subscription { get; set; } = null!;

        public string? Name { get; set; }

        public object? Value { get; private set; }

        public string? Error { get; private set; }

        public void OnResourceChanged(object resource) => owner._serializer.Post(() =>
        {
            (Value, Error) = (resource, null);
            owner.Update();
        });

        public void OnResourceError(string error) => owner._serializer.Post(() =>
        {
            (Value, Error) = (null, error);
            owner.Update();
        });

        public void OnAmbientError(string error)
        {
            // The cached resource stays in use (A88); the client has logged why.
        }
    }

    /// <summary>
    /// A LOGICAL_DNS cluster's host, followed by core's <c>dns</c> resolver (so lookups are rate-limited as for any DNS
    /// target); its results and errors are relayed onto the manager's serializer.
    /// </summary>
    private sealed class DnsLookup
    {
        public DnsLookup(XdsDependencyManager owner, string host, int port)
        {
            var hostPort = host.Contains(':', StringComparison.Ordinal) ? $"[{host}]:{port}" : $"{host}:{port}";
            Resolver = new DnsResolverProvider().CreateResolver(new ResolverTarget("dns", "", hostPort, "dns:///" + hostPort), owner._resolverOptions);
            Resolver.Start(result => owner._serializer.Post(() =>
            {
                if (owner._disposed.IsCancellationRequested)
                {
                    return;
                }

                if (result.Endpoints is { } endpoints)
                {
                    (Addresses, Error) = (endpoints.SelectMany(e => e.Addresses).Select(a => a.EndPoint).OfType<IPEndPoint>().ToArray(), null);
                }
                else if (Addresses is null)
                {
                    Error = result.Error.Detail; // a failed lookup keeps the addresses found before
                }

                owner.Update();
            }));
        }

        public Proxyless.Resolution.Resolver Resolver { get; }

        public IReadOnlyList<IPEndPoint>? Addresses { get; private set; }

        public string? Error { get; private set; }
    }
}
