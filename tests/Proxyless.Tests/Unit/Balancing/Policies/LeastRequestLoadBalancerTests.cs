using System.Net;
using Proxyless.Balancing;
using static Proxyless.Tests.Support.PolicyHarness;

namespace Proxyless.Tests.Unit.Balancing.Policies;

public class LeastRequestLoadBalancerTests
{
    [Fact]
    public void LeastRequestAvoidsTheEndpointWithCallsInFlight()
    {
        var (helper, policy) = Start("""{"least_request":{"choiceCount":2}}""", (1, null), (2, null));
        using (policy)
        {
            // Start (and never end) 10 calls on whichever endpoint port 1 is.
            var open = 0;
            while (open < 10)
            {
                var result = helper.Pick();
                if (((IPEndPoint)result.Subchannel!.Address.EndPoint).Port == 1)
                {
                    result.CallTracker!.OnCallStarted();
                    open++;
                }
            }

            // Two random choices with replacement: port 1 wins only when drawn twice (1/4).
            var counts = Count(helper, 20_000);
            Assert.InRange(counts.GetValueOrDefault(1) / 20_000.0, 0.22, 0.28);
        }
    }
}
