using GrpcMethodConfig = Grpc.Net.Client.Configuration.MethodConfig;
using GrpcRetryThrottlingPolicy = Grpc.Net.Client.Configuration.RetryThrottlingPolicy;

namespace Proxyless.Configuration;

/// <summary>
/// A parsed gRPC service config (https://github.com/grpc/grpc/blob/master/doc/service_config.md),
/// the same JSON that grpc-go accepts in <c>WithDefaultServiceConfig</c>.
/// </summary>
/// <remarks>
/// Load-balancing entries are kept as raw JSON until the channel picks the first registered policy;
/// method configs and retry throttling are converted to grpc-dotnet's types and handed to <c>GrpcChannel</c>.
/// </remarks>
public sealed class ServiceConfig
{
    internal ServiceConfig(
        IReadOnlyList<LoadBalancingPolicySelection> loadBalancingConfigs,
        string? loadBalancingPolicy,
        IReadOnlyList<GrpcMethodConfig> methodConfigs,
        GrpcRetryThrottlingPolicy? retryThrottling,
        HealthCheckConfig? healthCheckConfig,
        IReadOnlyList<string> warnings,
        string json)
    {
        LoadBalancingConfigs = loadBalancingConfigs;
        LoadBalancingPolicy = loadBalancingPolicy;
        MethodConfigs = methodConfigs;
        RetryThrottling = retryThrottling;
        HealthCheckConfig = healthCheckConfig;
        Warnings = warnings;
        Json = json;
    }

    /// <summary>An empty config: pick_first, no method configs.</summary>
    public static ServiceConfig Empty { get; } = Parse("{}");

    /// <summary>The <c>loadBalancingConfig</c> entries in order of preference.</summary>
    internal IReadOnlyList<LoadBalancingPolicySelection> LoadBalancingConfigs { get; }

    /// <summary>The legacy <c>loadBalancingPolicy</c> field, lower-cased (e.g. <c>round_robin</c>), or null.</summary>
    public string? LoadBalancingPolicy { get; }

    /// <summary>The <c>methodConfig</c> entries, as grpc-dotnet's types.</summary>
    public IReadOnlyList<GrpcMethodConfig> MethodConfigs { get; }

    /// <summary>Per-method default <c>timeout</c> and <c>waitForReady</c>, which the balanced channel applies to each call.</summary>
    internal IReadOnlyList<MethodCallSettings> CallSettings { get; init; } = [];

    /// <summary>The <c>retryThrottling</c> policy, or null.</summary>
    public GrpcRetryThrottlingPolicy? RetryThrottling { get; }

    /// <summary>The <c>healthCheckConfig</c>, or null when client health checking is off.</summary>
    public HealthCheckConfig? HealthCheckConfig { get; }

    /// <summary>Fields that were understood but cannot be honoured; the channel logs each once.</summary>
    public IReadOnlyList<string> Warnings { get; }

    /// <summary>The JSON text this config was parsed from.</summary>
    public string Json { get; }

    /// <summary>Parses service config JSON.</summary>
    /// <param name="json">The JSON text.</param>
    /// <returns>The parsed config.</returns>
    /// <exception cref="ServiceConfigException">The JSON is malformed or a field is invalid; the message names the field.</exception>
    public static ServiceConfig Parse(string json) => ServiceConfigParser.Parse(json);

    /// <inheritdoc />
    public override string ToString() => Json;
}
