using static Proxyless.Tests.Support.PolicyHarness;

namespace Proxyless.Tests.Unit.Balancing.Policies;

public class RandomLoadBalancerTests
{
    [Fact]
    public void RandomSpreadsEvenly()
    {
        var (helper, policy) = Start("""{"random":{}}""", (1, null), (2, null), (3, null));
        using (policy)
        {
            Assert.All(Count(helper, 30_000).Values, c => Assert.InRange(c / 30_000.0, 0.31, 0.36));
        }
    }
}
