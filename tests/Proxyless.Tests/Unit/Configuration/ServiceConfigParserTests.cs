using Proxyless.Balancing;
using Proxyless.Balancing.Policies.PickFirst;
using Proxyless.Balancing.Policies.RoundRobin;
using Proxyless.Configuration;

namespace Proxyless.Tests.Unit.Configuration;

public class ServiceConfigParserTests
{
    private static readonly LoadBalancerRegistry Registry = LoadBalancerRegistry.CreateDefault();

    private static LoadBalancerConfig Select(string json) => Registry.SelectPolicy(ServiceConfig.Parse(json)).Config;

    [Fact]
    public void EmptyConfigMeansPickFirst() => Assert.IsType<PickFirstConfig>(Select("{}"));

    [Fact]
    public void RoundRobinFromLoadBalancingConfig()
        => Assert.IsType<RoundRobinConfig>(Select("""{"loadBalancingConfig":[{"round_robin":{}}]}"""));

    [Fact]
    public void FirstRegisteredPolicyWins()
        => Assert.IsType<RoundRobinConfig>(Select("""{"loadBalancingConfig":[{"grpclb":{}},{"round_robin":{}},{"pick_first":{}}]}"""));

    [Fact]
    public void NoRegisteredPolicyFailsNamingTheUnknownOnes()
    {
        var ex = Assert.Throws<ServiceConfigException>(() => Select("""{"loadBalancingConfig":[{"grpclb":{}},{"xds_wrr":{}}]}"""));
        Assert.Equal("loadBalancingConfig", ex.FieldPath);
        Assert.Contains("'grpclb'", ex.Message);
        Assert.Contains("'xds_wrr'", ex.Message);
        Assert.Contains("round_robin", ex.Message); // lists what is registered
    }

    [Fact]
    public void LegacyLoadBalancingPolicyIsHonoured()
        => Assert.IsType<RoundRobinConfig>(Select("""{"loadBalancingPolicy":"ROUND_ROBIN"}"""));

    [Fact]
    public void LoadBalancingConfigTakesPrecedenceOverLegacyPolicy()
        => Assert.IsType<PickFirstConfig>(Select("""{"loadBalancingPolicy":"round_robin","loadBalancingConfig":[{"pick_first":{}}]}"""));

    [Fact]
    public void PickFirstShuffleIsParsed()
        => Assert.True(Assert.IsType<PickFirstConfig>(Select("""{"loadBalancingConfig":[{"pick_first":{"shuffleAddressList":true}}]}""")).ShuffleAddressList);

    [Theory]
    [InlineData("not json", "", "not valid JSON")]
    [InlineData("[]", "", "must be a JSON object")]
    [InlineData("""{"loadBalancingConfig":{}}""", "loadBalancingConfig", "expected an array")]
    [InlineData("""{"loadBalancingConfig":[{}]}""", "loadBalancingConfig[0]", "empty")]
    [InlineData("""{"loadBalancingConfig":[{"round_robin":{},"pick_first":{}}]}""", "loadBalancingConfig[0]", "exactly one policy")]
    [InlineData("""{"loadBalancingConfig":[{"round_robin":1}]}""", "loadBalancingConfig[0].round_robin", "must be an object")]
    [InlineData("""{"loadBalancingConfig":[{"pick_first":{"shuffleAddressList":"yes"}}]}""", "loadBalancingConfig[0].pick_first.shuffleAddressList", "expected true or false")]
    [InlineData("""{"methodConfig":[{"name":[{}],"retryPolicy":{"maxAttempts":1,"initialBackoff":"1s","maxBackoff":"1s","backoffMultiplier":2,"retryableStatusCodes":["UNAVAILABLE"]}}]}""", "methodConfig[0].retryPolicy.maxAttempts", "out of range")]
    [InlineData("""{"methodConfig":[{"name":[{}],"retryPolicy":{"maxAttempts":3,"initialBackoff":"soon","maxBackoff":"1s","backoffMultiplier":2,"retryableStatusCodes":["UNAVAILABLE"]}}]}""", "methodConfig[0].retryPolicy.initialBackoff", "expected a duration")]
    [InlineData("""{"methodConfig":[{"name":[{}],"retryPolicy":{"maxAttempts":3,"initialBackoff":"1s","maxBackoff":"1s","backoffMultiplier":2,"retryableStatusCodes":["UNAVAILBLE"]}}]}""", "methodConfig[0].retryPolicy.retryableStatusCodes[0]", "not a gRPC status code")]
    [InlineData("""{"methodConfig":[{"name":[{}],"retryPolicy":{"maxAttempts":3,"initialBackoff":"1s","maxBackoff":"1s","backoffMultiplier":2,"retryableStatusCodes":[]}}]}""", "methodConfig[0].retryPolicy.retryableStatusCodes", "at least one")]
    [InlineData("""{"methodConfig":[{"name":[{}],"retryPolicy":{"maxAttempts":3,"maxBackoff":"1s","backoffMultiplier":2,"retryableStatusCodes":[14]}}]}""", "methodConfig[0].retryPolicy.initialBackoff", "is required")]
    [InlineData("""{"methodConfig":[{"name":[{"method":"Foo"}],"timeout":"1s"}]}""", "methodConfig[0].name[0].method", "needs a service name")]
    [InlineData("""{"methodConfig":[{"timeout":"1s"}]}""", "methodConfig[0].name", "at least one name")]
    [InlineData("""{"methodConfig":[{"name":[{}],"timeout":"-1s"}]}""", "methodConfig[0].timeout", "greater than zero")]
    [InlineData("""{"methodConfig":[{"name":[{}],"waitForReady":"true"}]}""", "methodConfig[0].waitForReady", "expected true or false")]
    [InlineData("""{"retryThrottling":{"maxTokens":0,"tokenRatio":0.1}}""", "retryThrottling.maxTokens", "out of range")]
    [InlineData("""{"retryThrottling":{"maxTokens":10}}""", "retryThrottling.tokenRatio", "is required")]
    public void InvalidConfigNamesTheField(string json, string field, string problem)
    {
        var ex = Assert.Throws<ServiceConfigException>(() => Select(json));
        Assert.Equal(field, ex.FieldPath);
        Assert.Contains(problem, ex.Message);
        if (field.Length > 0)
        {
            Assert.Contains($"'{field}'", ex.Message);
        }
    }

    [Fact]
    public void RetryPolicyIsConvertedForGrpcChannel()
    {
        var config = ServiceConfig.Parse("""
            {"methodConfig":[{"name":[{"service":"grpc.examples.echo.Echo"}],
              "retryPolicy":{"maxAttempts":4,"initialBackoff":"0.1s","maxBackoff":"1s","backoffMultiplier":2,
                             "retryableStatusCodes":["UNAVAILABLE", "resource_exhausted", 4]}}],
             "retryThrottling":{"maxTokens":10,"tokenRatio":0.1}}
            """);
        var method = Assert.Single(config.MethodConfigs);
        Assert.Equal("grpc.examples.echo.Echo", method.Names[0].Service);
        Assert.Null(method.Names[0].Method);
        Assert.Equal(4, method.RetryPolicy!.MaxAttempts);
        Assert.Equal(TimeSpan.FromMilliseconds(100), method.RetryPolicy.InitialBackoff);
        Assert.Equal([StatusCode.Unavailable, StatusCode.ResourceExhausted, StatusCode.DeadlineExceeded], method.RetryPolicy.RetryableStatusCodes);
        Assert.Equal(10, config.RetryThrottling!.MaxTokens);
    }

    [Fact]
    public void HedgingPolicyIsConverted()
    {
        var config = ServiceConfig.Parse("""{"methodConfig":[{"name":[{}],"hedgingPolicy":{"maxAttempts":3,"hedgingDelay":"0.05s","nonFatalStatusCodes":["UNAVAILABLE"]}}]}""");
        var hedging = Assert.Single(config.MethodConfigs).HedgingPolicy!;
        Assert.Equal(3, hedging.MaxAttempts);
        Assert.Equal(TimeSpan.FromMilliseconds(50), hedging.HedgingDelay);
    }

    [Fact]
    public void RetryAndHedgingTogetherAreRejected()
    {
        var ex = Assert.Throws<ServiceConfigException>(() => ServiceConfig.Parse("""
            {"methodConfig":[{"name":[{}],"hedgingPolicy":{"maxAttempts":2},
              "retryPolicy":{"maxAttempts":2,"initialBackoff":"1s","maxBackoff":"1s","backoffMultiplier":2,"retryableStatusCodes":[14]}}]}
            """));
        Assert.Equal("methodConfig[0]", ex.FieldPath);
    }

    [Fact]
    public void TimeoutAndWaitForReadyBecomeCallSettings()
    {
        var config = ServiceConfig.Parse("""{"methodConfig":[{"name":[{"service":"a.B","method":"C"}],"timeout":"1.5s","waitForReady":true}]}""");
        var settings = Assert.Single(config.CallSettings);
        Assert.Equal(TimeSpan.FromSeconds(1.5), settings.Timeout);
        Assert.True(settings.WaitForReady);
        Assert.Equal(("a.B", "C"), settings.Names[0]);
    }

    [Fact]
    public void MessageSizeLimitsProduceAWarningNotSilence()
    {
        var config = ServiceConfig.Parse("""{"methodConfig":[{"name":[{}],"maxRequestMessageBytes":1024}]}""");
        Assert.Contains(config.Warnings, w => w.Contains("methodConfig[0].maxRequestMessageBytes"));
    }

    [Fact]
    public void HealthCheckConfigIsParsed()
        => Assert.Equal("grpc.examples.echo.Echo", ServiceConfig.Parse("""{"healthCheckConfig":{"serviceName":"grpc.examples.echo.Echo"}}""").HealthCheckConfig!.ServiceName);

    [Theory]
    [InlineData("1s", 1000)]
    [InlineData("0.25s", 250)]
    [InlineData("100s", 100000)]
    [InlineData("0.000001s", 0.001)]
    public void DurationsParse(string text, double milliseconds)
    {
        Assert.True(ConfigObject.TryParseDuration(text, out var d));
        Assert.Equal(milliseconds, d.TotalMilliseconds, 6);
    }

    [Theory]
    [InlineData("1")]
    [InlineData("s")]
    [InlineData("1ms")]
    [InlineData("abc s")]
    public void BadDurationsDoNotParse(string text) => Assert.False(ConfigObject.TryParseDuration(text, out _));

    [Fact]
    public void ChannelCreationFailsOnUnknownPolicy()
    {
        var ex = Assert.Throws<ServiceConfigException>(() => BalancedChannel.Create("ipv4:127.0.0.1:1", new BalancedChannelOptions
        {
            ServiceConfig = """{"loadBalancingConfig":[{"weighted_magic":{}}]}""",
        }));
        Assert.Contains("weighted_magic", ex.Message);
    }
}
