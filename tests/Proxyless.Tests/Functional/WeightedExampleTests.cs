namespace Proxyless.Tests.Functional;

public class WeightedExampleTests
{
    [Fact]
    public async Task TheWeightedExampleShowsStaticAndOrcaDrivenShares()
    {
        var output = new StringWriter();
        var shares = await Weighted.WeightedExample.RunAsync(output, calls: 200);
        Assert.InRange(shares[0], 0.72, 0.78);  // static 3:1
        Assert.InRange(shares[1], 0.15, 0.25);  // ORCA: A at 80% CPU gets about 20%
        Assert.InRange(shares[2], 0.75, 0.85);  // after the flip about 80%
        Assert.Contains("static weights 3:1", output.ToString());
    }
}
