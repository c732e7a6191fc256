using Proxyless.Balancing;
using Proxyless.Balancing.Policies.OutlierDetection;
using Proxyless.Balancing.Policies.PickFirst;
using Proxyless.Balancing.Policies.WeightedRoundRobin;
using Proxyless.Configuration;

namespace Proxyless.Tests.Unit.Configuration;

/// <summary>
/// Every duration and count a config can carry is checked against what the code can use (or clamped as a gRFC says),
/// field names are accepted in both protobuf JSON spellings, and unknown fields become warnings naming their path.
/// </summary>
public class ConfigObjectTests
{
    private const string Retry = "\"retryableStatusCodes\":[\"UNAVAILABLE\"],\"backoffMultiplier\":2,\"maxAttempts\":3";

    private static PolicySelection Select(string json) => LoadBalancerRegistry.CreateDefault().SelectPolicy(ServiceConfig.Parse(json));

    [Theory]
    [InlineData("""{"loadBalancingConfig":[{"weighted_round_robin":{"weightUpdatePeriod":"99999999s"}}]}""", "loadBalancingConfig[0].weighted_round_robin.weightUpdatePeriod")]
    [InlineData("""{"loadBalancingConfig":[{"weighted_round_robin":{"blackoutPeriod":"99999999s"}}]}""", "loadBalancingConfig[0].weighted_round_robin.blackoutPeriod")]
    [InlineData("""{"loadBalancingConfig":[{"weighted_round_robin":{"weightExpirationPeriod":"99999999s"}}]}""", "loadBalancingConfig[0].weighted_round_robin.weightExpirationPeriod")]
    [InlineData("""{"loadBalancingConfig":[{"outlier_detection":{"interval":"99999999s","childPolicy":[{"round_robin":{}}]}}]}""", "loadBalancingConfig[0].outlier_detection.interval")]
    [InlineData("""{"loadBalancingConfig":[{"outlier_detection":{"baseEjectionTime":"99999999s","childPolicy":[{"round_robin":{}}]}}]}""", "loadBalancingConfig[0].outlier_detection.baseEjectionTime")]
    [InlineData("""{"loadBalancingConfig":[{"outlier_detection":{"maxEjectionTime":"99999999s","childPolicy":[{"round_robin":{}}]}}]}""", "loadBalancingConfig[0].outlier_detection.maxEjectionTime")]
    [InlineData("""{"loadBalancingConfig":[{"pick_first":{"connectionAttemptDelay":"99999999s"}}]}""", "loadBalancingConfig[0].pick_first.connectionAttemptDelay")]
    [InlineData("""{"methodConfig":[{"name":[{}],"hedgingPolicy":{"maxAttempts":2,"hedgingDelay":"99999999s"}}]}""", "methodConfig[0].hedgingPolicy.hedgingDelay")]
    [InlineData("""{"methodConfig":[{"name":[{}],"retryPolicy":{"initialBackoff":"0.1s","maxBackoff":"2500000s",""" + Retry + "}}]}", "methodConfig[0].retryPolicy.maxBackoff")]
    [InlineData("""{"methodConfig":[{"name":[{}],"retryPolicy":{"initialBackoff":"2500000s","maxBackoff":"1s",""" + Retry + "}}]}", "methodConfig[0].retryPolicy.initialBackoff")]
    public void ADurationTheCodeCannotUseFailsNamingItsField(string json, string field)
    {
        var ex = Assert.Throws<ServiceConfigException>(() => BalancedChannel.Create("ipv4:127.0.0.1:1", new BalancedChannelOptions { ServiceConfig = json }));
        Assert.Equal(field, ex.FieldPath);
        Assert.Contains("is too long", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheLongestUsableDurationsAreAccepted()
    {
        var config = Assert.IsType<OutlierDetectionConfig>(Select("""{"loadBalancingConfig":[{"outlier_detection":{"interval":"4294967.294s","childPolicy":[{"round_robin":{}}]}}]}""").Config);
        Assert.Equal(ConfigObject.LongestTimer, config.Interval);
    }

    [Fact]
    public void WeightUpdatePeriodIsClampedToOneHundredMillisecondsAsGrfcA58Says()
    {
        var config = Assert.IsType<WeightedRoundRobinConfig>(Select("""{"loadBalancingConfig":[{"weighted_round_robin":{"weightUpdatePeriod":"0.01s"}}]}""").Config);
        Assert.Equal(TimeSpan.FromMilliseconds(100), config.WeightUpdatePeriod);
    }

    [Fact]
    public void AHugeMethodTimeoutIsAcceptedAndMeansNoDeadline()
    {
        var config = ServiceConfig.Parse("""{"methodConfig":[{"name":[{}],"timeout":"300000000000s"}]}""");
        Assert.Equal(TimeSpan.FromSeconds(300_000_000_000), config.CallSettings[0].Timeout);
    }

    [Fact]
    public void NegativeDurationsAreRejectedEvenWhereZeroIsAllowed()
    {
        var ex = Assert.Throws<ServiceConfigException>(() => Select("""{"loadBalancingConfig":[{"weighted_round_robin":{"blackoutPeriod":"-1s"}}]}"""));
        Assert.Equal("loadBalancingConfig[0].weighted_round_robin.blackoutPeriod", ex.FieldPath);
        Assert.Contains("must not be negative", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SnakeCaseFieldNamesAreAcceptedEverywhere()
    {
        var serviceConfig = ServiceConfig.Parse("""
            {"load_balancing_config":[{"weighted_round_robin":{"blackout_period":"5s","weight_update_period":"0.5s","error_utilization_penalty":2}}],
             "method_config":[{"name":[{"service":"a.B"}],"wait_for_ready":true,"timeout":"2s",
               "retry_policy":{"max_attempts":3,"initial_backoff":"0.1s","max_backoff":"1s","backoff_multiplier":2,"retryable_status_codes":["UNAVAILABLE"]}}],
             "retry_throttling":{"max_tokens":10,"token_ratio":0.5},
             "health_check_config":{"service_name":"a.B"}}
            """);
        Assert.Empty(serviceConfig.Warnings);
        Assert.Equal(3, serviceConfig.MethodConfigs[0].RetryPolicy!.MaxAttempts);
        Assert.Equal(true, serviceConfig.CallSettings[0].WaitForReady);
        Assert.Equal(10, serviceConfig.RetryThrottling!.MaxTokens);
        Assert.Equal("a.B", serviceConfig.HealthCheckConfig!.ServiceName);

        var selection = LoadBalancerRegistry.CreateDefault().SelectPolicy(serviceConfig);
        Assert.Empty(selection.Warnings);
        var wrr = Assert.IsType<WeightedRoundRobinConfig>(selection.Config);
        Assert.Equal(TimeSpan.FromSeconds(5), wrr.BlackoutPeriod);
        Assert.Equal(TimeSpan.FromMilliseconds(500), wrr.WeightUpdatePeriod);
        Assert.Equal(2.0, wrr.ErrorUtilizationPenalty);

        var pickFirst = Assert.IsType<PickFirstConfig>(Select("""{"loadBalancingConfig":[{"pick_first":{"shuffle_address_list":true}}]}""").Config);
        Assert.True(pickFirst.ShuffleAddressList);
    }

    [Fact]
    public void ErrorsNameTheFieldAsTheDocumentSpellsIt()
    {
        var ex = Assert.Throws<ServiceConfigException>(() => Select("""{"loadBalancingConfig":[{"weighted_round_robin":{"blackout_period":"soon"}}]}"""));
        Assert.Equal("loadBalancingConfig[0].weighted_round_robin.blackout_period", ex.FieldPath);
    }

    [Fact]
    public void AFieldSetUnderBothSpellingsIsAnError()
    {
        var ex = Assert.Throws<ServiceConfigException>(() => Select("""{"loadBalancingConfig":[{"weighted_round_robin":{"blackoutPeriod":"1s","blackout_period":"2s"}}]}"""));
        Assert.Equal("loadBalancingConfig[0].weighted_round_robin.blackoutPeriod", ex.FieldPath);
        Assert.Contains("'blackout_period'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownFieldsAreIgnoredButEachBecomesAWarningNamingItsPath()
    {
        var serviceConfig = ServiceConfig.Parse("""
            {"loadBalancingConfig":[{"outlier_detection":{"intervall":"1s","childPolicy":[{"weighted_round_robin":{"blackoutPerod":"1s"}}],
                                                          "failurePercentageEjection":{"treshold":90}}}],
             "methodConfg":[],
             "methodConfig":[{"name":[{"service":"a.B","mehtod":"C"}],"timout":"1s"}]}
            """);
        Assert.Equal(
            ["methodConfg is not a known field and is ignored",
             "methodConfig[0].name[0].mehtod is not a known field and is ignored",
             "methodConfig[0].timout is not a known field and is ignored"],
            serviceConfig.Warnings.Order(StringComparer.Ordinal));

        var selection = LoadBalancerRegistry.CreateDefault().SelectPolicy(serviceConfig);
        Assert.Equal(
            ["loadBalancingConfig[0].outlier_detection.childPolicy[0].weighted_round_robin.blackoutPerod is not a known field and is ignored",
             "loadBalancingConfig[0].outlier_detection.failurePercentageEjection.treshold is not a known field and is ignored",
             "loadBalancingConfig[0].outlier_detection.intervall is not a known field and is ignored"],
            selection.Warnings.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void UnknownFieldsAreLoggedOnceEach()
    {
        using var logging = Support.RecordingLoggerProvider.CreateFactory(out var log);
        using var channel = BalancedChannel.Create("ipv4:127.0.0.1:1", new BalancedChannelOptions
        {
            LoggerFactory = logging,
            ServiceConfig = """{"loadBalancingConfig":[{"round_robin":{"foo":1}}]}""",
        });
        Assert.Single(log.Lines, l => l.Contains("loadBalancingConfig[0].round_robin.foo is not a known field and is ignored", StringComparison.Ordinal));
    }
}
