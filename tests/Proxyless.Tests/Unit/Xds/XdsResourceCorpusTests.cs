using Proxyless.Balancing;
using Proxyless.Xds.Resources;

namespace Proxyless.Tests.Unit.Xds;

/// <summary>Every corpus resource gets its expected verdict from Proxyless's decoders, with the expected error.</summary>
public class XdsResourceCorpusTests
{
    public static TheoryData<string> Entries => new(XdsCorpus.Names);

    [Fact]
    public void TheCorpusHoldsAtLeastThirtyResourcesOfEveryTypeBothValidAndMalformed()
    {
        var entries = XdsCorpus.Names.Select(XdsCorpus.Load).ToList();
        Assert.True(entries.Count >= 30, $"{entries.Count} entries");
        foreach (var type in XdsResourceTypes.All)
        {
            Assert.Contains(entries, e => e.Resource.TypeUrl == type.TypeUrl && e.Accepted);
            Assert.Contains(entries, e => e.Resource.TypeUrl == type.TypeUrl && !e.Accepted);
        }
    }

    [Theory]
    [MemberData(nameof(Entries))]
    public void EachResourceGetsItsVerdict(string name)
    {
        var entry = XdsCorpus.Load(name);
        var type = XdsResourceTypes.Find(entry.Resource.TypeUrl);
        Assert.NotNull(type);

        var result = type.Decode(entry.Resource, new XdsDecodeContext(LoadBalancerRegistry.CreateDefault()));

        if (entry.Accepted)
        {
            Assert.True(result.IsValid, $"{entry.Description}: {result.Describe()}");
            Assert.NotNull(result.Name);
        }
        else
        {
            Assert.False(result.IsValid, $"{entry.Description}: accepted");
            Assert.Contains(entry.Error!, result.Describe(), StringComparison.Ordinal);
        }
    }
}
