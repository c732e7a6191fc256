using Envoy.Config.Route.V3;
using Google.Protobuf;

namespace Proxyless.Xds.Resources;

/// <summary>
/// RDS (gRFC A28): decodes a RouteConfiguration, from RDS or inline in a listener, checking what a gRPC client must
/// check: path specifiers and regexes, header matchers, weighted clusters, cluster specifier plugins, retry policies
/// (A44), max stream duration (A31), hash policies (A42) and filter overrides (A39). Routes a client cannot use but
/// need not reject (query parameter matchers, an optional unsupported cluster specifier plugin, a cluster header)
/// are left out, as grpc-go does.
/// </summary>
internal sealed class RouteConfigDecoder : XdsResourceType<RouteConfiguration>
{
    public override string TypeUrl => XdsTypeUrls.RouteConfiguration;

    public override string ShortName => "RDS";

    public override bool AllResourcesRequired => false;

    protected override MessageParser<RouteConfiguration> Parser => RouteConfiguration.Parser;

    protected override string NameOf(RouteConfiguration message) => message.Name;

    protected override object? Validate(RouteConfiguration message, XdsDecodeContext context, XdsErrors errors) => Decode(message, "", errors);

    /// <summary>Decodes a RouteConfiguration found at <paramref name="path"/>, recording every problem.</summary>
    public static XdsRouteConfig Decode(RouteConfiguration config, string path, XdsErrors errors)
    {
        // Plugins: none is implemented, so a route naming an optional one is skipped and a required one is an error.
        var optionalPlugins = new HashSet<string>(StringComparer.Ordinal);
        var plugins = XdsErrors.Field(path, "cluster_specifier_plugins");
        for (var i = 0; i < config.ClusterSpecifierPlugins.Count; i++)
        {
            var plugin = config.ClusterSpecifierPlugins[i];
            if (plugin.IsOptional)
            {
                optionalPlugins.Add(plugin.Extension?.Name ?? "");
            }
            else
            {
                errors.Add(XdsErrors.Index(plugins, i), $"cluster specifier plugin \"{plugin.Extension?.Name}\" of type {(plugin.Extension?.TypedConfig is { } typed ? HttpFilters.ConfigTypeUrl(typed, XdsErrors.Index(plugins, i), errors) : "(none)")} is not supported");
            }
        }

        var hosts = new List<XdsVirtualHost>(config.VirtualHosts.Count);
        for (var i = 0; i < config.VirtualHosts.Count; i++)
        {
            var host = config.VirtualHosts[i];
            var at = XdsErrors.Index(XdsErrors.Field(path, "virtual_hosts"), i);
            CheckDomains(host.Domains, XdsErrors.Field(at, "domains"), errors);
            var routes = new List<XdsRoute>(host.Routes.Count);
            for (var j = 0; j < host.Routes.Count; j++)
            {
                if (DecodeRoute(host.Routes[j], XdsErrors.Index(XdsErrors.Field(at, "routes"), j), optionalPlugins, errors) is { } route)
                {
                    routes.Add(route);
                }
            }

            var retry = host.RetryPolicy is null ? null : DecodeRetryPolicy(host.RetryPolicy, XdsErrors.Field(at, "retry_policy"), errors);
            HttpFilters.CheckOverrides(host.TypedPerFilterConfig, XdsErrors.Field(at, "typed_per_filter_config"), errors);
            hosts.Add(new XdsVirtualHost(host.Name, host.Domains.ToArray(), routes, retry));
        }

        return new XdsRouteConfig(config.Name, hosts);
    }

    // A28: a domain is an exact name, or has one wildcard, as its first or last character.
    private static void CheckDomains(IList<string> domains, string path, XdsErrors errors)
    {
        for (var i = 0; i < domains.Count; i++)
        {
            var domain = domains[i];
            var wildcards = domain.Count(c => c == '*');
            var valid = domain.Length > 0 && (wildcards == 0 || (wildcards == 1 && (domain[0] == '*' || domain[^1] == '*')));
            if (!valid)
            {
                errors.Add(XdsErrors.Index(path, i), $"\"{domain}\" is not a valid domain pattern (one wildcard at most, first or last)");
            }
        }
    }

    private static XdsRoute? DecodeRoute(Route route, string path, HashSet<string> optionalPlugins, XdsErrors errors)
    {
        var before = errors.Problems.Count;
        var matchPath = XdsErrors.Field(path, "match");
        if (route.Match is not { } match)
        {
            errors.Add(matchPath, "is missing");
            return null;
        }

        if (match.QueryParameters.Count > 0)
        {
            return null; // a client has no query string: the route never matches, so it is left out (grpc-go, C-core)
        }

        XdsPathMatchKind kind;
        string pathValue;
        System.Text.RegularExpressions.Regex? regex = null;
        switch (match.PathSpecifierCase)
        {
            case RouteMatch.PathSpecifierOneofCase.Prefix:
                (kind, pathValue) = (XdsPathMatchKind.Prefix, match.Prefix);
                break;
            case RouteMatch.PathSpecifierOneofCase.Path:
                (kind, pathValue) = (XdsPathMatchKind.Path, match.Path);
                break;
            case RouteMatch.PathSpecifierOneofCase.SafeRegex:
                (kind, pathValue) = (XdsPathMatchKind.SafeRegex, match.SafeRegex.Regex);
                regex = SafeRegex.Compile(match.SafeRegex.Regex, XdsErrors.Field(matchPath, "safe_regex.regex"), errors);
                break;
            default:
                errors.Add(matchPath, match.PathSpecifierCase == RouteMatch.PathSpecifierOneofCase.None
                    ? "has no path specifier (prefix, path or safe_regex)"
                    : $"path specifier {match.PathSpecifierCase} is not supported");
                return null;
        }

        var caseSensitive = match.CaseSensitive ?? true;
        if (regex is not null && !caseSensitive)
        {
            // RE2 case-insensitivity is part of the pattern; Envoy ignores case_sensitive for safe_regex too.
            caseSensitive = true;
        }

        var headers = new List<XdsHeaderMatcher>(match.Headers.Count);
        for (var i = 0; i < match.Headers.Count; i++)
        {
            if (DecodeHeaderMatcher(match.Headers[i], XdsErrors.Index(XdsErrors.Field(matchPath, "headers"), i), errors) is { } header)
            {
                headers.Add(header);
            }
        }

        uint? fraction = null;
        if (match.RuntimeFraction is { } runtime)
        {
            fraction = runtime.DefaultValue is null ? 0 : XdsProtoValues.PerMillion(runtime.DefaultValue, XdsErrors.Field(matchPath, "runtime_fraction.default_value"), errors);
        }

        XdsRouteAction action;
        switch (route.ActionCase)
        {
            case Route.ActionOneofCase.Route_:
                if (DecodeAction(route.Route_, XdsErrors.Field(path, "route"), optionalPlugins, errors, out var skip) is not { } decoded)
                {
                    if (skip)
                    {
                        return null;
                    }

                    action = XdsRouteAction.Other(XdsRouteActionKind.Unsupported);
                }
                else
                {
                    action = decoded;
                }

                break;
            case Route.ActionOneofCase.NonForwardingAction:
                action = XdsRouteAction.Other(XdsRouteActionKind.NonForwarding);
                break;
            default:
                action = XdsRouteAction.Other(XdsRouteActionKind.Unsupported);
                break;
        }

        HttpFilters.CheckOverrides(route.TypedPerFilterConfig, XdsErrors.Field(path, "typed_per_filter_config"), errors);
        return errors.Problems.Count == before
            ? new XdsRoute(new XdsRouteMatch(kind, pathValue, regex, caseSensitive, headers, fraction), action)
            : null;
    }

#pragma warning disable CS0612 // the deprecated matchers (exact_match, ...) are still sent by control planes and read by every gRPC client
    private static XdsHeaderMatcher? DecodeHeaderMatcher(HeaderMatcher header, string path, XdsErrors errors)
    {
        XdsStringMatcher? Matcher(Envoy.Type.Matcher.V3.StringMatcher m, string at) => XdsStringMatcher.From(m, at, errors);
        var invert = header.InvertMatch;
        switch (header.HeaderMatchSpecifierCase)
        {
            case HeaderMatcher.HeaderMatchSpecifierOneofCase.ExactMatch:
                return StringHeader(new XdsStringMatcher(XdsStringMatchKind.Exact, header.ExactMatch, false, null));
            case HeaderMatcher.HeaderMatchSpecifierOneofCase.PrefixMatch:
                return StringHeader(new XdsStringMatcher(XdsStringMatchKind.Prefix, header.PrefixMatch, false, null));
            case HeaderMatcher.HeaderMatchSpecifierOneofCase.SuffixMatch:
                return StringHeader(new XdsStringMatcher(XdsStringMatchKind.Suffix, header.SuffixMatch, false, null));
            case HeaderMatcher.HeaderMatchSpecifierOneofCase.ContainsMatch:
                return StringHeader(new XdsStringMatcher(XdsStringMatchKind.Contains, header.ContainsMatch, false, null));
            case HeaderMatcher.HeaderMatchSpecifierOneofCase.SafeRegexMatch:
                return SafeRegex.Compile(header.SafeRegexMatch.Regex, XdsErrors.Field(path, "safe_regex_match.regex"), errors) is { } regex
                    ? StringHeader(new XdsStringMatcher(XdsStringMatchKind.SafeRegex, header.SafeRegexMatch.Regex, false, regex))
                    : null;
            case HeaderMatcher.HeaderMatchSpecifierOneofCase.StringMatch:
                return Matcher(header.StringMatch, XdsErrors.Field(path, "string_match")) is { } matcher ? StringHeader(matcher) : null;
            case HeaderMatcher.HeaderMatchSpecifierOneofCase.RangeMatch:
                return new XdsHeaderMatcher(header.Name, XdsHeaderMatchKind.Range, null, header.RangeMatch.Start, header.RangeMatch.End, false, invert);
            case HeaderMatcher.HeaderMatchSpecifierOneofCase.PresentMatch:
                return new XdsHeaderMatcher(header.Name, XdsHeaderMatchKind.Present, null, 0, 0, header.PresentMatch, invert);
            default:
                errors.Add(path, $"header matcher for \"{header.Name}\" has no supported match specifier");
                return null;
        }

        XdsHeaderMatcher StringHeader(XdsStringMatcher matcher) => new(header.Name, XdsHeaderMatchKind.String, matcher, 0, 0, false, invert);
    }
#pragma warning restore CS0612

    // Null with skip=true: the route is left out. Null with skip=false: problems were recorded.
    private static XdsRouteAction? DecodeAction(RouteAction action, string path, HashSet<string> optionalPlugins, XdsErrors errors, out bool skip)
    {
        skip = false;
        var before = errors.Problems.Count;
        var clusters = new List<XdsWeightedCluster>();
        switch (action.ClusterSpecifierCase)
        {
            case RouteAction.ClusterSpecifierOneofCase.Cluster:
                if (action.Cluster.Length == 0)
                {
                    errors.Add(XdsErrors.Field(path, "cluster"), "is empty");
                }

                clusters.Add(new XdsWeightedCluster(action.Cluster, 1));
                break;
            case RouteAction.ClusterSpecifierOneofCase.WeightedClusters:
                ulong total = 0;
                var weighted = XdsErrors.Field(path, "weighted_clusters.clusters");
                for (var i = 0; i < action.WeightedClusters.Clusters.Count; i++)
                {
                    var cluster = action.WeightedClusters.Clusters[i];
                    var at = XdsErrors.Index(weighted, i);
                    var weight = cluster.Weight ?? 0;
                    if (cluster.Name.Length == 0)
                    {
                        errors.Add(XdsErrors.Field(at, "name"), "is empty");
                    }

                    HttpFilters.CheckOverrides(cluster.TypedPerFilterConfig, XdsErrors.Field(at, "typed_per_filter_config"), errors);
                    if (weight == 0)
                    {
                        continue;
                    }

                    total += weight;
                    clusters.Add(new XdsWeightedCluster(cluster.Name, weight));
                }

                if (total == 0)
                {
                    errors.Add(weighted, "no cluster has a weight above 0");
                }
                else if (total > uint.MaxValue)
                {
                    errors.Add(weighted, $"the weights sum to {total}, more than {uint.MaxValue}");
                }

                break;
            case RouteAction.ClusterSpecifierOneofCase.ClusterSpecifierPlugin:
                if (optionalPlugins.Contains(action.ClusterSpecifierPlugin))
                {
                    skip = true; // an optional plugin this client lacks: the route is ignored (A28)
                    return null;
                }

                errors.Add(XdsErrors.Field(path, "cluster_specifier_plugin"), $"\"{action.ClusterSpecifierPlugin}\" is not an optional plugin of this route configuration");
                return null;
            default:
                skip = true; // cluster_header and anything newer: not supported, the route is ignored (grpc-go)
                return null;
        }

        TimeSpan? maxStreamDuration = null;
        if (action.MaxStreamDuration is { } msd)
        {
            // A31: grpc_timeout_header_max caps the call's own timeout; gRPC applies it in place of max_stream_duration.
            var (duration, name) = msd.GrpcTimeoutHeaderMax is { } header ? (header, "grpc_timeout_header_max") : (msd.MaxStreamDuration_, "max_stream_duration");
            if (duration is not null)
            {
                maxStreamDuration = XdsProtoValues.Duration(duration, XdsErrors.Field(path, "max_stream_duration." + name), errors);
            }
        }

        var retry = action.RetryPolicy is null ? null : DecodeRetryPolicy(action.RetryPolicy, XdsErrors.Field(path, "retry_policy"), errors);
        var hashPolicies = new List<XdsHashPolicy>();
        for (var i = 0; i < action.HashPolicy.Count; i++)
        {
            if (DecodeHashPolicy(action.HashPolicy[i], XdsErrors.Index(XdsErrors.Field(path, "hash_policy"), i), errors) is { } policy)
            {
                hashPolicies.Add(policy);
            }
        }

        return errors.Problems.Count == before ? new XdsRouteAction(XdsRouteActionKind.Route, clusters, maxStreamDuration, retry, hashPolicies) : null;
    }

    private static XdsHashPolicy? DecodeHashPolicy(RouteAction.Types.HashPolicy policy, string path, XdsErrors errors)
    {
        switch (policy.PolicySpecifierCase)
        {
            case RouteAction.Types.HashPolicy.PolicySpecifierOneofCase.Header:
                var header = policy.Header;
                System.Text.RegularExpressions.Regex? rewrite = null;
                if (header.RegexRewrite is { } rr)
                {
                    rewrite = SafeRegex.Compile(rr.Pattern?.Regex ?? "", XdsErrors.Field(path, "header.regex_rewrite.pattern.regex"), errors);
                    if (rewrite is null)
                    {
                        return null;
                    }

                    // Substitution uses the pattern without the full-match anchors.
                    rewrite = new System.Text.RegularExpressions.Regex(rr.Pattern!.Regex, SafeRegex.Options);
                }

                return new XdsHashPolicy(XdsHashPolicyKind.Header, header.HeaderName, rewrite, header.RegexRewrite?.Substitution ?? "", policy.Terminal);
            case RouteAction.Types.HashPolicy.PolicySpecifierOneofCase.FilterState when policy.FilterState.Key == "io.grpc.channel_id":
                return new XdsHashPolicy(XdsHashPolicyKind.ChannelId, "", null, "", policy.Terminal);
            default:
                return null; // other hash policies are ignored (A42)
        }
    }

    /// <summary>gRFC A44: retry_on codes, num_retries (≥ 1, default 1), backoff (base &gt; 0, default 25 ms; max &gt; 0, default 10× base).</summary>
    private static XdsRetryPolicy? DecodeRetryPolicy(RetryPolicy policy, string path, XdsErrors errors)
    {
        var codes = new HashSet<StatusCode>();
        foreach (var part in policy.RetryOn.Split(','))
        {
            StatusCode? code = part.Trim().ToLowerInvariant() switch
            {
                "cancelled" => StatusCode.Cancelled,
                "deadline-exceeded" => StatusCode.DeadlineExceeded,
                "internal" => StatusCode.Internal,
                "resource-exhausted" => StatusCode.ResourceExhausted,
                "unavailable" => StatusCode.Unavailable,
                _ => null, // other conditions are ignored (A44)
            };
            if (code is { } c)
            {
                codes.Add(c);
            }
        }

        var before = errors.Problems.Count;
        var retries = policy.NumRetries ?? 1;
        if (retries < 1)
        {
            errors.Add(XdsErrors.Field(path, "num_retries"), "must be at least 1");
        }

        var baseInterval = TimeSpan.FromMilliseconds(25);
        if (policy.RetryBackOff?.BaseInterval is { } b && XdsProtoValues.Duration(b, XdsErrors.Field(path, "retry_back_off.base_interval"), errors) is { } bi)
        {
            baseInterval = bi;
            if (bi <= TimeSpan.Zero)
            {
                errors.Add(XdsErrors.Field(path, "retry_back_off.base_interval"), "must be above 0");
            }
        }
        else if (policy.RetryBackOff is { BaseInterval: null })
        {
            errors.Add(XdsErrors.Field(path, "retry_back_off.base_interval"), "is required when retry_back_off is set");
        }

        var maxInterval = baseInterval * 10;
        if (policy.RetryBackOff?.MaxInterval is { } m && XdsProtoValues.Duration(m, XdsErrors.Field(path, "retry_back_off.max_interval"), errors) is { } mi)
        {
            maxInterval = mi;
            if (mi <= TimeSpan.Zero)
            {
                errors.Add(XdsErrors.Field(path, "retry_back_off.max_interval"), "must be above 0");
            }
        }

        return errors.Problems.Count != before ? null : new XdsRetryPolicy(codes, retries, baseInterval, maxInterval);
    }
}
