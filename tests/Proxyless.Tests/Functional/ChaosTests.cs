namespace Proxyless.Tests.Functional;

public class ChaosTests
{
    [Fact]
    public async Task KillingAndRestartingBackendsInTurnLosesNoCallAndLeavesNothingOpen()
    {
        var output = new StringWriter();
        var result = await Chaos.ChaosScenario.RunAsync(output, totalCalls: 1500, callers: 6, kills: 3, pace: TimeSpan.FromMilliseconds(10));

        Assert.True(result.Failures == 0, output.ToString());
        Assert.Equal(1500, result.Calls);
        Assert.Equal(3, result.Kills);
        Assert.Equal(3, result.CallsPerBackend.Count);          // every backend served calls
        Assert.Equal(0, result.CallsInFlightAfter);             // every per-call counter back to zero
        Assert.Equal(0, result.ConnectionsOpenAfterDispose);    // no socket left open
        Assert.Contains("killed backend", output.ToString());
    }
}
