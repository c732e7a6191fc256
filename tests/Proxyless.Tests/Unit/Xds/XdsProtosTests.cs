using System.Diagnostics;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace Proxyless.Tests.Unit.Xds;

/// <summary>
/// The Envoy/xDS message types are compiled from the pinned, unmodified protos in third_party/xds, and those protos
/// are what the pinned npm package holds.
/// </summary>
public class XdsProtosTests
{
    [Fact]
    public void AClusterInAnAnyRoundTripsThroughTheGeneratedTypes()
    {
        var cluster = new Envoy.Config.Cluster.V3.Cluster
        {
            Name = "greeter",
            Type = Envoy.Config.Cluster.V3.Cluster.Types.DiscoveryType.Eds,
            LbPolicy = Envoy.Config.Cluster.V3.Cluster.Types.LbPolicy.RingHash,
        };
        var any = Any.Pack(cluster);
        Assert.Equal("type.googleapis.com/envoy.config.cluster.v3.Cluster", any.TypeUrl);

        var back = Envoy.Config.Cluster.V3.Cluster.Parser.ParseFrom(any.Value);
        Assert.Equal(cluster, back);
        Assert.Equal(cluster.ToByteArray(), back.ToByteArray());
    }

    [Fact]
    public async Task TheCheckedInProtosMatchThePinnedPackage()
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "third_party", "xds", "fetch.sh")))
        {
            root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("third_party/xds/fetch.sh not found above the test's directory");
        }

        using var check = Process.Start(new ProcessStartInfo("bash", [Path.Combine(root, "third_party", "xds", "fetch.sh"), "--check"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var output = check.StandardOutput.ReadToEndAsync(timeout.Token);
        var errors = check.StandardError.ReadToEndAsync(timeout.Token);
        await check.WaitForExitAsync(timeout.Token);
        Assert.True(check.ExitCode == 0, await errors);
        Assert.StartsWith("protos/ matches @grpc/grpc-js-xds@1.14.1 (81 files)", await output, StringComparison.Ordinal);
    }
}
