namespace Proxyless.Tests.Functional;

public class XdsExampleTests
{
    [Fact]
    public async Task TheXdsExampleMovesTrafficFrom90To10WhenTheRouteChanges()
    {
        var output = new StringWriter();
        var (before, after) = await global::Xds.XdsExample.RunAsync(output, window: 400);
        Assert.InRange(before, 0.85, 0.95);
        Assert.InRange(after, 0.05, 0.15);
        Assert.Contains("the control plane pushes cluster-a 10, cluster-b 90", output.ToString());
        Assert.Contains("0 NACKs", output.ToString());
    }
}
