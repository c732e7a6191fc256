using Google.Protobuf.Collections;
using Google.Protobuf.WellKnownTypes;
using Envoy.Extensions.Filters.Network.HttpConnectionManager.V3;

namespace Proxyless.Xds.Resources;

/// <summary>
/// gRFC A39's rules for HTTP filters: the listener's filter chain must name each filter once, know every filter that is
/// not <c>is_optional</c>, and end with the one terminal filter, the router. Proxyless's client implements the router
/// only; per-route overrides (<c>typed_per_filter_config</c>) are accepted only when optional, since the router takes
/// none.
/// </summary>
internal static class HttpFilters
{
    /// <summary>Checks a listener's <c>http_filters</c> and returns the names of the filters the client runs.</summary>
    public static IReadOnlyList<string> Check(RepeatedField<HttpFilter> filters, string path, XdsErrors errors)
    {
        var used = new List<(string Name, bool Terminal, string Path)>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < filters.Count; i++)
        {
            var filter = filters[i];
            var at = XdsErrors.Index(path, i);
            if (filter.Name.Length == 0)
            {
                errors.Add(XdsErrors.Field(at, "name"), "is empty");
                continue;
            }

            if (!names.Add(filter.Name))
            {
                errors.Add(XdsErrors.Field(at, "name"), $"\"{filter.Name}\" appears twice");
                continue;
            }

            var typeUrl = filter.TypedConfig is null ? "(no typed_config)" : ConfigTypeUrl(filter.TypedConfig, XdsErrors.Field(at, "typed_config"), errors);
            if (typeUrl == XdsTypeUrls.Router)
            {
                used.Add((filter.Name, true, at));
            }
            else if (typeUrl is not null && !filter.IsOptional)
            {
                errors.Add(XdsErrors.Field(at, "typed_config"), $"{typeUrl} is not a filter this client supports (mark it is_optional to have it skipped)");
            }
        }

        // A39: the terminal filter (the router) is last among the filters the client runs, and only there.
        for (var i = 0; i < used.Count - 1; i++)
        {
            if (used[i].Terminal)
            {
                errors.Add(used[i].Path, $"the router filter \"{used[i].Name}\" is terminal but is not last");
            }
        }

        if (used.Count == 0 || !used[^1].Terminal)
        {
            errors.Add(path, filters.Count == 0 ? "is empty; the router filter must be last" : "has no router filter; it must be last");
        }

        return used.Select(f => f.Name).ToArray();
    }

    /// <summary>Checks a virtual host's, route's or weighted cluster's <c>typed_per_filter_config</c>.</summary>
    public static void CheckOverrides(MapField<string, Any> overrides, string path, XdsErrors errors)
    {
        foreach (var (name, config) in overrides)
        {
            var at = $"{path}[\"{name}\"]";
            var optional = false;
            var inner = config;
            if (config.TypeUrl == XdsTypeUrls.FilterConfig)
            {
                var wrapper = Envoy.Config.Route.V3.FilterConfig.Parser.ParseFrom(config.Value);
                optional = wrapper.IsOptional;
                inner = wrapper.Config;
            }

            if (optional)
            {
                continue;
            }

            var typeUrl = inner is null ? "(no config)" : ConfigTypeUrl(inner, at, errors);
            if (typeUrl is not null)
            {
                errors.Add(at, $"{typeUrl} is not a filter override this client supports (mark it is_optional to have it skipped)");
            }
        }
    }

    /// <summary>An extension config's real type: a TypedStruct (either version) carries it inside.</summary>
    public static string? ConfigTypeUrl(Any config, string path, XdsErrors errors)
    {
        try
        {
            return config.TypeUrl switch
            {
                XdsTypeUrls.TypedStructV3 => global::Xds.Type.V3.TypedStruct.Parser.ParseFrom(config.Value).TypeUrl,
                XdsTypeUrls.TypedStructV1 => Udpa.Type.V1.TypedStruct.Parser.ParseFrom(config.Value).TypeUrl,
                _ => config.TypeUrl,
            };
        }
        catch (Google.Protobuf.InvalidProtocolBufferException ex)
        {
            errors.Add(path, $"the TypedStruct cannot be parsed: {ex.Message}");
            return null;
        }
    }
}
