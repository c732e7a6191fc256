using System.Text.Json;
using Grpc.Core;
using GrpcHedgingPolicy = Grpc.Net.Client.Configuration.HedgingPolicy;
using GrpcMethodConfig = Grpc.Net.Client.Configuration.MethodConfig;
using GrpcMethodName = Grpc.Net.Client.Configuration.MethodName;
using GrpcRetryPolicy = Grpc.Net.Client.Configuration.RetryPolicy;
using GrpcRetryThrottlingPolicy = Grpc.Net.Client.Configuration.RetryThrottlingPolicy;

namespace Proxyless.Configuration;

/// <summary>Parses service config JSON into <see cref="ServiceConfig"/>; every error names its field.</summary>
internal static class ServiceConfigParser
{
    // grpc-dotnet turns the retry delay into whole milliseconds with Convert.ToInt32.
    private static readonly TimeSpan LongestRetryBackoff = TimeSpan.FromMilliseconds(int.MaxValue);

    public static ServiceConfig Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Disallow });
        }
        catch (JsonException ex)
        {
            throw new ServiceConfigException("", $"not valid JSON ({ex.Message})", ex);
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new ServiceConfigException("", $"the document must be a JSON object but is {ConfigObject.Describe(document.RootElement)}");
            }

            using var fields = ConfigFieldTracker.Begin();
            var root = new ConfigObject(document.RootElement.Clone(), "");
            var warnings = new List<string>();
            var lbConfigs = ParseLoadBalancingConfigs(root);
            var legacyPolicy = root.GetString("loadBalancingPolicy");
            if (legacyPolicy is not null && legacyPolicy.Length == 0)
            {
                throw root.Error("loadBalancingPolicy", "must not be empty");
            }

            var (methodConfigs, callSettings) = ParseMethodConfigs(root, warnings);
            var throttling = ParseRetryThrottling(root);
            var health = root.GetObject("healthCheckConfig") is { } h ? new HealthCheckConfig(h.GetString("serviceName") ?? "") : null;
            warnings.AddRange(fields.UnknownFields());
            return new ServiceConfig(lbConfigs, legacyPolicy?.ToLowerInvariant(), methodConfigs, throttling, health, warnings, json)
            {
                CallSettings = callSettings,
            };
        }
    }

    private static List<LoadBalancingPolicySelection> ParseLoadBalancingConfigs(ConfigObject root)
        => root.TryGet("loadBalancingConfig", out var list) ? ParsePolicyList(list, root.FieldPath("loadBalancingConfig")) : [];

    /// <summary>
    /// Parses a list of <c>{"policy_name": {config}}</c> entries: a service config's <c>loadBalancingConfig</c>, or a
    /// child-policy list inside a policy's config. The policies' own configs stay raw until one is chosen.
    /// </summary>
    internal static List<LoadBalancingPolicySelection> ParsePolicyList(JsonElement list, string listPath)
    {
        if (list.ValueKind != JsonValueKind.Array)
        {
            throw new ServiceConfigException(listPath, $"expected an array of policies like [{{\"round_robin\":{{}}}}] but found {ConfigObject.Describe(list)}");
        }

        var result = new List<LoadBalancingPolicySelection>();
        var index = 0;
        foreach (var item in list.EnumerateArray())
        {
            var path = $"{listPath}[{index++}]";
            if (item.ValueKind != JsonValueKind.Object)
            {
                throw new ServiceConfigException(path, $"each entry must be an object like {{\"round_robin\":{{}}}} but found {ConfigObject.Describe(item)}");
            }

            var count = 0;
            foreach (var property in item.EnumerateObject())
            {
                count++;
                if (count > 1)
                {
                    throw new ServiceConfigException(path, "each entry must name exactly one policy");
                }

                var config = property.Value.ValueKind == JsonValueKind.Null ? EmptyObject() : property.Value.Clone();
                if (config.ValueKind != JsonValueKind.Object)
                {
                    throw new ServiceConfigException($"{path}.{property.Name}", $"the policy config must be an object but found {ConfigObject.Describe(config)}");
                }

                result.Add(new LoadBalancingPolicySelection(property.Name, config, $"{path}.{property.Name}"));
            }

            if (count == 0)
            {
                throw new ServiceConfigException(path, "the entry is empty; it must name one policy");
            }
        }

        return result;
    }

    private static (List<GrpcMethodConfig>, List<MethodCallSettings>) ParseMethodConfigs(ConfigObject root, List<string> warnings)
    {
        var configs = new List<GrpcMethodConfig>();
        var settings = new List<MethodCallSettings>();
        foreach (var (item, path) in root.GetArray("methodConfig"))
        {
            var entry = new ConfigObject(item, path);
            var methodConfig = new GrpcMethodConfig();
            var names = new List<(string, string)>();
            foreach (var (nameItem, namePath) in entry.GetArray("name"))
            {
                var name = new ConfigObject(nameItem, namePath);
                var service = name.GetString("service") ?? "";
                var method = name.GetString("method") ?? "";
                if (service.Length == 0 && method.Length != 0)
                {
                    throw name.Error("method", "a method name needs a service name");
                }

                names.Add((service, method));
                methodConfig.Names.Add(new GrpcMethodName { Service = service.Length == 0 ? null : service, Method = method.Length == 0 ? null : method });
            }

            var timeout = entry.GetDuration("timeout", max: TimeSpan.MaxValue); // past year 9999 it simply means no deadline
            bool? waitForReady = entry.TryGet("waitForReady", out _) ? entry.GetBoolean("waitForReady", false) : null;
            foreach (var sizeField in (string[])["maxRequestMessageBytes", "maxResponseMessageBytes"])
            {
                if (entry.TryGet(sizeField, out _))
                {
                    entry.GetInt64(sizeField, 0, 0);
                    warnings.Add($"{entry.FieldPath(sizeField)} is not applied per method; set GrpcChannelOptions.MaxSendMessageSize/MaxReceiveMessageSize instead");
                }
            }

            var retry = entry.GetObject("retryPolicy");
            var hedging = entry.GetObject("hedgingPolicy");
            if (retry is not null && hedging is not null)
            {
                throw new ServiceConfigException(path, "retryPolicy and hedgingPolicy cannot both be set");
            }

            if (retry is { } r)
            {
                methodConfig.RetryPolicy = ParseRetryPolicy(r);
            }

            if (hedging is { } h)
            {
                methodConfig.HedgingPolicy = ParseHedgingPolicy(h);
            }

            if (names.Count == 0)
            {
                throw entry.Error("name", "at least one name is required");
            }

            if (methodConfig.RetryPolicy is not null || methodConfig.HedgingPolicy is not null)
            {
                configs.Add(methodConfig);
            }

            if (timeout is not null || waitForReady is not null)
            {
                settings.Add(new MethodCallSettings(names, timeout, waitForReady));
            }
        }

        return (configs, settings);
    }

    private static GrpcRetryPolicy ParseRetryPolicy(ConfigObject r)
    {
        var policy = new GrpcRetryPolicy
        {
            MaxAttempts = RequireInt(r, "maxAttempts", min: 2),
            InitialBackoff = r.GetDuration("initialBackoff", max: LongestRetryBackoff) ?? throw r.Error("initialBackoff", "is required"),
            MaxBackoff = r.GetDuration("maxBackoff", max: LongestRetryBackoff) ?? throw r.Error("maxBackoff", "is required"),
            BackoffMultiplier = r.TryGet("backoffMultiplier", out _) ? r.GetDouble("backoffMultiplier", 0, double.Epsilon) : throw r.Error("backoffMultiplier", "is required"),
        };
        foreach (var code in ParseStatusCodes(r, "retryableStatusCodes"))
        {
            policy.RetryableStatusCodes.Add(code);
        }

        if (policy.RetryableStatusCodes.Count == 0)
        {
            throw r.Error("retryableStatusCodes", "must list at least one status code");
        }

        return policy;
    }

    private static GrpcHedgingPolicy ParseHedgingPolicy(ConfigObject h)
    {
        var policy = new GrpcHedgingPolicy
        {
            MaxAttempts = RequireInt(h, "maxAttempts", min: 2),
            HedgingDelay = h.GetDuration("hedgingDelay", TimeSpan.Zero, mustBePositive: false),
        };
        foreach (var code in ParseStatusCodes(h, "nonFatalStatusCodes"))
        {
            policy.NonFatalStatusCodes.Add(code);
        }

        return policy;
    }

    private static GrpcRetryThrottlingPolicy? ParseRetryThrottling(ConfigObject root)
    {
        if (root.GetObject("retryThrottling") is not { } t)
        {
            return null;
        }

        if (!t.TryGet("tokenRatio", out _))
        {
            throw t.Error("tokenRatio", "is required");
        }

        return new GrpcRetryThrottlingPolicy
        {
            MaxTokens = RequireInt(t, "maxTokens", min: 1, max: 1000),
            TokenRatio = t.GetDouble("tokenRatio", 0, double.Epsilon),
        };
    }

    private static int RequireInt(ConfigObject o, string name, int min, int max = int.MaxValue)
    {
        if (!o.TryGet(name, out _))
        {
            throw o.Error(name, "is required");
        }

        return o.GetInt32(name, 0, min, max);
    }

    private static IEnumerable<StatusCode> ParseStatusCodes(ConfigObject o, string name)
    {
        var codes = new List<StatusCode>();
        foreach (var (item, path) in o.GetArray(name))
        {
            codes.Add(ParseStatusCode(item, path));
        }

        return codes;
    }

    internal static StatusCode ParseStatusCode(JsonElement item, string path)
    {
        if (item.ValueKind == JsonValueKind.Number && item.TryGetInt32(out var n) && n is >= 0 and <= 16)
        {
            return (StatusCode)n;
        }

        if (item.ValueKind == JsonValueKind.String)
        {
            var text = item.GetString()!;
            foreach (var code in Enum.GetValues<StatusCode>())
            {
                if (string.Equals(ToUpperSnake(code), text, StringComparison.OrdinalIgnoreCase))
                {
                    return code;
                }
            }
        }

        throw new ServiceConfigException(path, $"{ConfigObject.Describe(item)} is not a gRPC status code (use a name such as \"UNAVAILABLE\" or a number 0-16)");
    }

    private static string ToUpperSnake(StatusCode code)
    {
        var name = code.ToString();
        var chars = new System.Text.StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            if (i > 0 && char.IsUpper(name[i]) && !char.IsUpper(name[i - 1]))
            {
                chars.Append('_');
            }

            chars.Append(char.ToUpperInvariant(name[i]));
        }

        return chars.ToString();
    }

    private static JsonElement EmptyObject()
    {
        using var doc = JsonDocument.Parse("{}");
        return doc.RootElement.Clone();
    }
}
