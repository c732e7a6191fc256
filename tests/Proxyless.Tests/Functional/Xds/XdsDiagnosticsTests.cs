using System.Text.Json;
using Proxyless.Cli;
using Proxyless.Resolution;
using Proxyless.Tests.Support;
using Proxyless.Xds;
using Proxyless.Xds.ControlPlane;
using static Proxyless.Xds.ControlPlane.XdsResources;

namespace Proxyless.Tests.Functional.Xds;

/// <summary>
/// CSDS-like introspection: <c>GetDiagnostics().Resources</c> on an xDS channel and <c>proxyless xds dump</c> show each
/// resource with its ACK/NACK state, version, error and content.
/// </summary>
public class XdsDiagnosticsTests
{
    [Fact]
    public async Task TheChannelListsItsResourcesWithTheirStateAndTheNackError()
    {
        await using var backends = await BackendSet.StartAsync(1);
        await using var plane = await XdsControlPlane.StartAsync();
        plane.SetSnapshot([
            Listener("greeter", "greeter-routes"), Routes("greeter-routes", ("a", 1)), EdsCluster("a"),
            Endpoints("a", ("z", 1, 0, [(System.Net.IPEndPoint)backends[0].EndPoint])),
        ]);
        using var channel = BalancedChannel.Create("xds:///greeter", new BalancedChannelOptions { Resolvers = ResolverRegistry.CreateDefault().AddXds(Bootstrap(plane.ServerUri)) });
        await channel.ConnectAsync();

        var resources = channel.GetDiagnostics().Resources;
        Assert.Equal([("LDS", "greeter"), ("RDS", "greeter-routes"), ("CDS", "a"), ("EDS", "a")], resources.Select(r => (r.Type, r.Name)));
        Assert.All(resources, r => Assert.Equal(("ACKED", "1"), (r.Status, r.Version)));
        Assert.Contains("\"routeConfigName\": \"greeter-routes\"", resources[0].Json, StringComparison.Ordinal);

        // A rejected update: NACKED with the error, the accepted version still in use.
        var bad = (Envoy.Config.Cluster.V3.Cluster)EdsCluster("a");
        bad.LbPolicy = Envoy.Config.Cluster.V3.Cluster.Types.LbPolicy.Random;
        plane.SetResource(bad);
        await Eventually.TrueAsync(() => channel.GetDiagnostics().Resources.Any(r => r.Status == "NACKED"), "the cluster is NACKED");
        var cds = channel.GetDiagnostics().Resources.Single(r => r.Type == "CDS");
        Assert.Equal("1", cds.Version);
        Assert.Contains("lb_policy: RANDOM is not supported", cds.Error, StringComparison.Ordinal);
        Assert.Contains("CDS a: NACKED version 1", channel.GetDiagnostics().ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProxylessXdsDumpPrintsTheResourcesAsJson()
    {
        await using var plane = await XdsControlPlane.StartAsync();
        plane.SetSnapshot([Listener("greeter", "greeter-routes"), Routes("greeter-routes", ("a", 1)), EdsCluster("a"), Endpoints("a", ("z", 1, 0, [new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 9)]))]);
        var bootstrap = Path.Combine(Path.GetTempPath(), $"proxyless-bootstrap-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(bootstrap, Bootstrap(plane.ServerUri));
        try
        {
            var (console, output) = TestConsole.Create();
            Assert.Equal(0, await ProxylessCommand.RunAsync(["xds", "dump", "xds:///greeter", "--bootstrap", bootstrap], console));
            using var json = JsonDocument.Parse(output.ToString());
            var resources = json.RootElement.GetProperty("resources").EnumerateArray().ToList();
            Assert.Equal(["LDS", "RDS", "CDS", "EDS"], resources.Select(r => r.GetProperty("type").GetString()));
            Assert.All(resources, r => Assert.Equal("ACKED", r.GetProperty("status").GetString()));
            Assert.Equal("a", resources[3].GetProperty("resource").GetProperty("clusterName").GetString());

            // A listener the control plane lacks: exit 1, DOES_NOT_EXIST.
            plane.SetSnapshot([]);
            var (console2, output2) = TestConsole.Create();
            Assert.Equal(1, await ProxylessCommand.RunAsync(["xds", "dump", "xds:///greeter", "--bootstrap", bootstrap], console2));
            Assert.Contains("DOES_NOT_EXIST", output2.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(bootstrap);
        }
    }

    [Fact]
    public async Task ProxylessXdsDumpRejectsAMissingBootstrapFileAndANonXdsTarget()
    {
        var (console, output) = TestConsole.Create();
        Assert.Equal(2, await ProxylessCommand.RunAsync(["xds", "dump", "xds:///greeter", "--bootstrap", "/nonexistent/bootstrap.json"], console));
        Assert.Contains("--bootstrap: /nonexistent/bootstrap.json does not exist", output.ToString(), StringComparison.Ordinal);
        Assert.Equal(2, await ProxylessCommand.RunAsync(["xds", "dump", "dns:///greeter"], console));
        Assert.Contains("is not an xds: target", output.ToString(), StringComparison.Ordinal);
    }
}
