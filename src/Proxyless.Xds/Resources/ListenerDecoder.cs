using Envoy.Config.Listener.V3;
using Envoy.Extensions.Filters.Network.HttpConnectionManager.V3;
using Google.Protobuf;

namespace Proxyless.Xds.Resources;

/// <summary>
/// LDS (gRFC A27, A39, A41): decodes a client's API listener: its HttpConnectionManager, routes from RDS (ADS or self
/// config source) or inline, the HCM's max stream duration, and the filter chain.
/// </summary>
internal sealed class ListenerDecoder : XdsResourceType<Listener>
{
    public override string TypeUrl => XdsTypeUrls.Listener;

    public override string ShortName => "LDS";

    public override bool AllResourcesRequired => true;

    protected override MessageParser<Listener> Parser => Listener.Parser;

    protected override string NameOf(Listener message) => message.Name;

    protected override object? Validate(Listener listener, XdsDecodeContext context, XdsErrors errors)
    {
        const string ApiPath = "api_listener.api_listener";
        if (listener.ApiListener?.ApiListener_ is not { } api)
        {
            errors.Add(ApiPath, "is missing (a client's listener must be an API listener)");
            return null;
        }

        if (api.TypeUrl != XdsTypeUrls.HttpConnectionManager)
        {
            errors.Add(ApiPath, $"{api.TypeUrl} is not an HttpConnectionManager");
            return null;
        }

        HttpConnectionManager hcm;
        try
        {
            hcm = HttpConnectionManager.Parser.ParseFrom(api.Value);
        }
        catch (InvalidProtocolBufferException ex)
        {
            errors.Add(ApiPath, $"the HttpConnectionManager cannot be parsed: {ex.Message}");
            return null;
        }

        if (hcm.XffNumTrustedHops != 0)
        {
            errors.Add(ApiPath + ".xff_num_trusted_hops", "must be 0 (gRFC A41)");
        }

        if (hcm.OriginalIpDetectionExtensions.Count != 0)
        {
            errors.Add(ApiPath + ".original_ip_detection_extensions", "must be empty (gRFC A41)");
        }

        string? rdsName = null;
        XdsRouteConfig? inline = null;
        switch (hcm.RouteSpecifierCase)
        {
            case HttpConnectionManager.RouteSpecifierOneofCase.Rds:
                var source = hcm.Rds.ConfigSource;
                if (source is null || source.ConfigSourceSpecifierCase is not (Envoy.Config.Core.V3.ConfigSource.ConfigSourceSpecifierOneofCase.Ads or Envoy.Config.Core.V3.ConfigSource.ConfigSourceSpecifierOneofCase.Self))
                {
                    errors.Add(ApiPath + ".rds.config_source", "must be ads or self");
                }

                if (hcm.Rds.RouteConfigName.Length == 0)
                {
                    errors.Add(ApiPath + ".rds.route_config_name", "is empty");
                }

                rdsName = hcm.Rds.RouteConfigName;
                break;
            case HttpConnectionManager.RouteSpecifierOneofCase.RouteConfig:
                inline = RouteConfigDecoder.Decode(hcm.RouteConfig, ApiPath + ".route_config", errors);
                break;
            default:
                errors.Add(ApiPath, hcm.RouteSpecifierCase == HttpConnectionManager.RouteSpecifierOneofCase.None
                    ? "has neither rds nor route_config"
                    : $"route specifier {hcm.RouteSpecifierCase} is not supported (scoped routes)");
                break;
        }

        TimeSpan? maxStreamDuration = null;
        if (hcm.CommonHttpProtocolOptions?.MaxStreamDuration is { } msd)
        {
            maxStreamDuration = XdsProtoValues.Duration(msd, ApiPath + ".common_http_protocol_options.max_stream_duration", errors);
        }

        var filters = HttpFilters.Check(hcm.HttpFilters, ApiPath + ".http_filters", errors);
        return new XdsListener(listener.Name, rdsName, inline, maxStreamDuration, filters);
    }
}
