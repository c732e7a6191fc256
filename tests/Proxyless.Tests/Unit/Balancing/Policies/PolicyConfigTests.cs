using Proxyless.Balancing.Policies.LeastRequest;
using Proxyless.Balancing.Policies.Random;
using Proxyless.Balancing.Policies.RingHash;
using Proxyless.Balancing.Policies.WeightedRoundRobin;
using Proxyless.Configuration;
using static Proxyless.Tests.Support.PolicyHarness;

namespace Proxyless.Tests.Unit.Balancing.Policies;

/// <summary>Each policy provider's config parsing: defaults and errors that name the field.</summary>
public class PolicyConfigTests
{
    [Theory]
    [InlineData("""{"least_request":{"choiceCount":1}}""", "loadBalancingConfig[0].least_request.choiceCount")]
    [InlineData("""{"ring_hash":{"minRingSize":5000,"maxRingSize":10}}""", "loadBalancingConfig[0].ring_hash.minRingSize")]
    [InlineData("""{"ring_hash":{"requestHashHeader":"key-bin"}}""", "loadBalancingConfig[0].ring_hash.requestHashHeader")]
    [InlineData("""{"weighted_round_robin":{"enableOobLoadReport":true}}""", "loadBalancingConfig[0].weighted_round_robin.enableOobLoadReport")]
    [InlineData("""{"weighted_round_robin":{"errorUtilizationPenalty":-1}}""", "loadBalancingConfig[0].weighted_round_robin.errorUtilizationPenalty")]
    public void BadPolicyConfigsNameTheField(string policy, string field)
        => Assert.Equal(field, Assert.Throws<ServiceConfigException>(() => Parse(policy)).FieldPath);

    [Fact]
    public void PolicyConfigDefaults()
    {
        Assert.Equal(10, ((LeastRequestConfig)Parse("""{"least_request":{"choiceCount":50}}""")).ChoiceCount); // capped (gRFC A48)
        var wrr = (WeightedRoundRobinConfig)Parse("""{"weighted_round_robin":{}}""");
        Assert.Equal(TimeSpan.FromSeconds(10), wrr.BlackoutPeriod);
        Assert.Equal(TimeSpan.FromMinutes(3), wrr.WeightExpirationPeriod);
        Assert.Equal(TimeSpan.FromSeconds(1), wrr.WeightUpdatePeriod);
        Assert.Equal(TimeSpan.FromMilliseconds(100), ((WeightedRoundRobinConfig)Parse("""{"weighted_round_robin":{"weightUpdatePeriod":"0.01s"}}""")).WeightUpdatePeriod);
        var ring = (RingHashConfig)Parse("""{"ring_hash":{}}""");
        Assert.Equal((1024, 4096), (ring.MinRingSize, ring.MaxRingSize));
        Assert.IsType<RandomConfig>(Parse("""{"random":{}}"""));
    }
}
