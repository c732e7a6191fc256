using System.Text;
using System.Text.Json;
using Envoy.Config.Cluster.V3;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Proxyless.Configuration;

namespace Proxyless.Xds.Resources;

/// <summary>
/// Turns a cluster's balancing policy into gRPC's service-config JSON (gRFC A52): the old <c>lb_policy</c> enum, or the
/// first supported entry of <c>load_balancing_policy</c>. Envoy's policy messages map to Proxyless's policies
/// (client_side_weighted_round_robin → <c>weighted_round_robin</c>); a <c>TypedStruct</c> names a custom policy by the
/// last part of its type URL and is used when the channel's registry has it. The result is parsed by the registry
/// here, so a bad config is a NACK naming the field, not a failure later.
/// </summary>
internal static class LbPolicyConverter
{
    /// <summary>The name of the locality-weighting wrapper policy (gRFC A52), as gRPC spells it.</summary>
    public const string WrrLocality = "xds_wrr_locality_experimental";

    private const int MaxDepth = 16;
    private const ulong MaxRingSize = 8 * 1024 * 1024;

    /// <summary>The config for a cluster's <c>lb_policy</c> and its per-policy settings.</summary>
    public static string? FromLbPolicy(Cluster cluster, XdsDecodeContext context, XdsErrors errors)
    {
        switch (cluster.LbPolicy)
        {
            case Cluster.Types.LbPolicy.RoundRobin:
                return WrapLocality(Policy("round_robin", "{}"));
            case Cluster.Types.LbPolicy.RingHash:
                var ring = cluster.RingHashLbConfig;
                if (ring is not null && ring.HashFunction != Cluster.Types.RingHashLbConfig.Types.HashFunction.XxHash)
                {
                    errors.Add("ring_hash_lb_config.hash_function", $"{XdsProtoValues.Name(ring.HashFunction)} is not supported (XX_HASH is)");
                    return null;
                }

                return RingHash(ring?.MinimumRingSize, ring?.MaximumRingSize, "ring_hash_lb_config", context, errors);
            case Cluster.Types.LbPolicy.LeastRequest:
                return LeastRequest(cluster.LeastRequestLbConfig?.ChoiceCount, "least_request_lb_config", context, errors);
            default:
                errors.Add("lb_policy", $"{XdsProtoValues.Name(cluster.LbPolicy)} is not supported (ROUND_ROBIN, RING_HASH and LEAST_REQUEST are)");
                return null;
        }
    }

    /// <summary>The config for a cluster's <c>load_balancing_policy</c>: its first entry this client supports.</summary>
    public static string? FromLoadBalancingPolicy(LoadBalancingPolicy policy, string path, XdsDecodeContext context, XdsErrors errors, int depth = 0)
    {
        if (depth > MaxDepth)
        {
            errors.Add(path, $"policies nest deeper than {MaxDepth}");
            return null;
        }

        var seen = new List<string>();
        for (var i = 0; i < policy.Policies.Count; i++)
        {
            var at = $"{path}.policies[{i}].typed_extension_config.typed_config";
            var config = policy.Policies[i].TypedExtensionConfig?.TypedConfig;
            if (config is null)
            {
                errors.Add(at, "is missing");
                return null;
            }

            var before = errors.Problems.Count;
            var converted = Convert(config, at, context, errors, depth);
            if (errors.Problems.Count != before)
            {
                return null; // a supported policy with a bad config rejects the cluster (A52)
            }

            if (converted is not null)
            {
                return converted;
            }

            seen.Add(HttpFilters.ConfigTypeUrl(config, at, errors) ?? config.TypeUrl);
        }

        errors.Add(path, seen.Count == 0 ? "has no policies" : $"has no policy this client supports (found {string.Join(", ", seen)})");
        return null;
    }

    // Null without a recorded problem: a type this client does not know; the next entry is tried.
    private static string? Convert(Any config, string path, XdsDecodeContext context, XdsErrors errors, int depth)
    {
        try
        {
            switch (config.TypeUrl)
            {
                case XdsTypeUrls.RoundRobinPolicy:
                    return Policy("round_robin", "{}");
                case XdsTypeUrls.PickFirstPolicy:
                    var pickFirst = Envoy.Extensions.LoadBalancingPolicies.PickFirst.V3.PickFirst.Parser.ParseFrom(config.Value);
                    return Checked(Policy("pick_first", Json(w => w.WriteBoolean("shuffleAddressList", pickFirst.ShuffleAddressList))), path, context, errors);
                case XdsTypeUrls.RingHashPolicy:
                    var ring = Envoy.Extensions.LoadBalancingPolicies.RingHash.V3.RingHash.Parser.ParseFrom(config.Value);
                    if (ring.HashFunction is not (Envoy.Extensions.LoadBalancingPolicies.RingHash.V3.RingHash.Types.HashFunction.XxHash or Envoy.Extensions.LoadBalancingPolicies.RingHash.V3.RingHash.Types.HashFunction.DefaultHash))
                    {
                        errors.Add(path + ".hash_function", $"{XdsProtoValues.Name(ring.HashFunction)} is not supported (XX_HASH is)");
                        return null;
                    }

                    return RingHash(ring.MinimumRingSize, ring.MaximumRingSize, path, context, errors);
                case XdsTypeUrls.LeastRequestPolicy:
                    var leastRequest = Envoy.Extensions.LoadBalancingPolicies.LeastRequest.V3.LeastRequest.Parser.ParseFrom(config.Value);
                    return LeastRequest(leastRequest.ChoiceCount, path, context, errors);
                case XdsTypeUrls.ClientSideWeightedRoundRobinPolicy:
                    return WeightedRoundRobin(config, path, context, errors);
                case XdsTypeUrls.WrrLocalityPolicy:
                    var wrr = Envoy.Extensions.LoadBalancingPolicies.WrrLocality.V3.WrrLocality.Parser.ParseFrom(config.Value);
                    if (wrr.EndpointPickingPolicy is null)
                    {
                        errors.Add(path + ".endpoint_picking_policy", "is missing");
                        return null;
                    }

                    return FromLoadBalancingPolicy(wrr.EndpointPickingPolicy, path + ".endpoint_picking_policy", context, errors, depth + 1) is { } child
                        ? WrapLocality(child)
                        : null;
                case XdsTypeUrls.TypedStructV3:
                    var v3 = global::Xds.Type.V3.TypedStruct.Parser.ParseFrom(config.Value);
                    return Custom(v3.TypeUrl, v3.Value, path, context, errors);
                case XdsTypeUrls.TypedStructV1:
                    var v1 = Udpa.Type.V1.TypedStruct.Parser.ParseFrom(config.Value);
                    return Custom(v1.TypeUrl, v1.Value, path, context, errors);
                default:
                    return null;
            }
        }
        catch (InvalidProtocolBufferException ex)
        {
            errors.Add(path, $"{config.TypeUrl} cannot be parsed: {ex.Message}");
            return null;
        }
    }

    private static string? RingHash(ulong? min, ulong? max, string path, XdsDecodeContext context, XdsErrors errors)
    {
        var minSize = min ?? 1024;
        var maxSize = max ?? MaxRingSize;
        if (minSize > MaxRingSize || maxSize > MaxRingSize || minSize > maxSize)
        {
            errors.Add(path, $"ring sizes min {minSize}, max {maxSize} are invalid (each at most {MaxRingSize}, min at most max)");
            return null;
        }

        return Checked(Policy("ring_hash", Json(w =>
        {
            w.WriteNumber("minRingSize", minSize);
            w.WriteNumber("maxRingSize", maxSize);
        })), path, context, errors);
    }

    private static string? LeastRequest(uint? choiceCount, string path, XdsDecodeContext context, XdsErrors errors)
    {
        var count = choiceCount ?? 2;
        if (count < 2)
        {
            errors.Add(path + ".choice_count", $"{count} is below 2");
            return null;
        }

        return Checked(Policy("least_request", Json(w => w.WriteNumber("choiceCount", count))), path, context, errors);
    }

    private static string? WeightedRoundRobin(Any config, string path, XdsDecodeContext context, XdsErrors errors)
    {
        var wrr = Envoy.Extensions.LoadBalancingPolicies.ClientSideWeightedRoundRobin.V3.ClientSideWeightedRoundRobin.Parser.ParseFrom(config.Value);
        var json = Json(w =>
        {
            if (wrr.EnableOobLoadReport is { } oob)
            {
                w.WriteBoolean("enableOobLoadReport", oob);
            }

            void Duration(string name, Duration? value, string field)
            {
                if (value is not null && XdsProtoValues.Duration(value, $"{path}.{field}", errors) is { } span)
                {
                    w.WriteString(name, DurationText(span));
                }
            }

            Duration("oobReportingPeriod", wrr.OobReportingPeriod, "oob_reporting_period");
            Duration("blackoutPeriod", wrr.BlackoutPeriod, "blackout_period");
            Duration("weightExpirationPeriod", wrr.WeightExpirationPeriod, "weight_expiration_period");
            Duration("weightUpdatePeriod", wrr.WeightUpdatePeriod, "weight_update_period");
            if (wrr.ErrorUtilizationPenalty is { } penalty)
            {
                w.WriteNumber("errorUtilizationPenalty", penalty);
            }
        });
        return Checked(Policy("weighted_round_robin", json), path, context, errors);
    }

    private static string? Custom(string typeUrl, Struct? value, string path, XdsDecodeContext context, XdsErrors errors)
    {
        var name = typeUrl[(typeUrl.LastIndexOf('/') + 1)..];
        if (!context.Policies.TryGet(name, out _))
        {
            return null; // not registered here: the next entry is tried
        }

        string config = "{}";
        if (value is not null)
        {
            using var document = JsonDocument.Parse(JsonFormatter.Default.Format(value));
            config = JsonSerializer.Serialize(document.RootElement); // compact
        }

        return Checked(Policy(name, config), path, context, errors);
    }

    /// <summary>A32/A52 wrapper: the child policy picks within a locality, localities are weighted.</summary>
    private static string WrapLocality(string child) => Policy(WrrLocality, "{\"childPolicy\":" + child + "}");

    private static string Policy(string name, string config) => "[{" + JsonSerializer.Serialize(name) + ":" + config + "}]";

    // Parses the config with the channel's registry, so every field is checked as a service config would be.
    private static string? Checked(string policyJson, string path, XdsDecodeContext context, XdsErrors errors)
    {
        using var document = JsonDocument.Parse(policyJson);
        try
        {
            context.Policies.SelectFirstRegistered(document.RootElement, "");
            return policyJson;
        }
        catch (ServiceConfigException ex)
        {
            errors.Add(path, $"converts to {policyJson}, which is not a valid config: {ex.Message}");
            return null;
        }
    }

    /// <summary>Writes a JSON object with <paramref name="write"/>.</summary>
    public static string Json(Action<Utf8JsonWriter> write)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            write(writer);
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>A duration in protobuf JSON form ("1.5s").</summary>
    public static string DurationText(TimeSpan span) => (span.Ticks / (decimal)TimeSpan.TicksPerSecond).ToString("0.#########", System.Globalization.CultureInfo.InvariantCulture) + "s";
}
