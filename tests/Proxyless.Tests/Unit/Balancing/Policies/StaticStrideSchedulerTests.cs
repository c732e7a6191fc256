using Proxyless.Balancing.Policies.WeightedRoundRobin;
using static Proxyless.Tests.Support.PolicyHarness;

namespace Proxyless.Tests.Unit.Balancing.Policies;

/// <summary>gRFC A58's static stride scheduler.</summary>
public class StaticStrideSchedulerTests
{
    [Theory]
    [InlineData(new double[] { 3, 1 })]
    [InlineData(new double[] { 1, 2, 3, 4 })]
    [InlineData(new double[] { 10, 1, 1 })]
    public void StaticStrideSharesAreWithinOnePercentOfTheWeights(double[] weights)
    {
        var scheduler = StaticStrideScheduler.Create(weights, start: 12345)!;
        var counts = new int[weights.Length];
        const int picks = 100_000;
        for (var i = 0; i < picks; i++)
        {
            counts[scheduler.Pick()]++;
        }

        for (var i = 0; i < weights.Length; i++)
        {
            var expected = weights[i] / weights.Sum();
            Assert.InRange((double)counts[i] / picks, expected - 0.01, expected + 0.01);
        }
    }

    [Fact]
    public void UnknownWeightsGetTheMeanAndTooFewWeightsMeanPlainRoundRobin()
    {
        var scheduler = StaticStrideScheduler.Create([4, 0, 2], 0)!;
        Assert.Equal(scheduler.ScaledWeights[1], (ushort)Math.Round(3.0 / 4 * ushort.MaxValue));
        Assert.Null(StaticStrideScheduler.Create([5, 0, 0], 0));
    }
}
