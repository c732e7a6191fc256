using Proxyless.Xds.Bootstrap;

namespace Proxyless.Tests.Unit.Xds;

/// <summary>
/// gRPC's xDS bootstrap (gRFCs A27, A47, A65): every field this client uses is read, and every error names where the
/// bootstrap came from and the field that was wrong.
/// </summary>
public class XdsBootstrapTests
{
    private const string Minimal = """{"xds_servers":[{"server_uri":"127.0.0.1:18000","channel_creds":[{"type":"insecure"}]}]}""";

    private static XdsBootstrapException Fails(string json) => Assert.Throws<XdsBootstrapException>(() => XdsBootstrap.Parse(json, "test"));

    [Fact]
    public void AFullBootstrapIsRead()
    {
        var bootstrap = XdsBootstrap.Parse("""
            {
              "xds_servers": [{
                "server_uri": "dns:///xds.example.com:443",
                "channel_creds": [{"type": "google_default"}, {"type": "tls", "config": {"ca_certificate_file": "/ca.pem", "certificate_file": "/c.pem", "private_key_file": "/k.pem"}}],
                "server_features": ["xds_v3", "ignore_resource_deletion"]
              }],
              "node": {"id": "client-1", "cluster": "web", "locality": {"region": "eu", "zone": "eu-1a", "sub_zone": "r3"}, "metadata": {"team": "payments"}},
              "authorities": {
                "mesh.example": {"client_listener_resource_name_template": "xdstp://mesh.example/envoy.config.listener.v3.Listener/grpc/%s",
                                 "xds_servers": [{"server_uri": "10.0.0.9:18000", "channel_creds": [{"type": "insecure"}]}]},
                "other": {}
              },
              "client_default_listener_resource_name_template": "grpc/server?listener=%s"
            }
            """, "test");

        var server = Assert.Single(bootstrap.Servers);
        Assert.Equal("dns:///xds.example.com:443", server.ServerUri);
        Assert.Equal(new XdsChannelCredentials("tls", "/ca.pem", "/c.pem", "/k.pem"), server.Credentials); // the first supported type
        Assert.True(server.IgnoreResourceDeletion);
        Assert.False(server.FailOnDataErrors);
        Assert.Equal(("client-1", "web", "eu", "eu-1a", "r3"), (bootstrap.Node.Id, bootstrap.Node.Cluster, bootstrap.Node.Region, bootstrap.Node.Zone, bootstrap.Node.SubZone));
        Assert.Equal("payments", bootstrap.Node.Metadata!.Value.GetProperty("team").GetString());
        Assert.Equal("grpc/server?listener=%s", bootstrap.ClientDefaultListenerResourceNameTemplate);
        Assert.Equal("10.0.0.9:18000", Assert.Single(bootstrap.Authorities["mesh.example"].Servers!).ServerUri);
        Assert.Null(bootstrap.Authorities["other"].Servers); // falls back to the top-level servers
        Assert.Equal("xdstp://other/envoy.config.listener.v3.Listener/%s", bootstrap.Authorities["other"].ClientListenerResourceNameTemplate);
        Assert.Empty(bootstrap.Warnings);
    }

    [Fact]
    public void DefaultsApplyToWhatAMinimalBootstrapLeavesOut()
    {
        var bootstrap = XdsBootstrap.Parse(Minimal, "test");
        Assert.Equal("%s", bootstrap.ClientDefaultListenerResourceNameTemplate);
        Assert.Equal("", bootstrap.Node.Id);
        Assert.Empty(bootstrap.Authorities);
        Assert.Equal("insecure", bootstrap.Servers[0].Credentials.Type);
    }

    [Theory]
    [InlineData("""[]""", "", "expected a JSON object but found an array")]
    [InlineData("""{}""", "xds_servers", "is required")]
    [InlineData("""{"xds_servers":[]}""", "xds_servers", "at least one server")]
    [InlineData("""{"xds_servers":{}}""", "xds_servers", "expected a list but found an object")]
    [InlineData("""{"xds_servers":[{"channel_creds":[{"type":"insecure"}]}]}""", "xds_servers[0].server_uri", "is required")]
    [InlineData("""{"xds_servers":[{"server_uri":5,"channel_creds":[{"type":"insecure"}]}]}""", "xds_servers[0].server_uri", "expected a string but found the number 5")]
    [InlineData("""{"xds_servers":[{"server_uri":"a:1"}]}""", "xds_servers[0].channel_creds", "is required")]
    [InlineData("""{"xds_servers":[{"server_uri":"a:1","channel_creds":[]}]}""", "xds_servers[0].channel_creds", "at least one credential type")]
    [InlineData("""{"xds_servers":[{"server_uri":"a:1","channel_creds":[{"type":"google_default"},{"type":"alts"}]}]}""", "xds_servers[0].channel_creds", "none of the types listed (google_default, alts) is supported; supported: insecure, tls")]
    [InlineData("""{"xds_servers":[{"server_uri":"a:1","channel_creds":[{"config":{}}]}]}""", "xds_servers[0].channel_creds[0].type", "is required")]
    [InlineData("""{"xds_servers":[{"server_uri":"a:1","channel_creds":[{"type":"tls","config":{"certificate_file":"/c.pem"}}]}]}""", "xds_servers[0].channel_creds[0].config", "certificate_file and private_key_file must be given together")]
    [InlineData("""{"xds_servers":[{"server_uri":"a:1","channel_creds":[{"type":"insecure"}],"server_features":["xds_v3",1]}]}""", "xds_servers[0].server_features[1]", "expected a string")]
    [InlineData("""{"xds_servers":[{"server_uri":"a:1","channel_creds":[{"type":"insecure"}]}],"node":{"locality":"eu"}}""", "node.locality", "expected a JSON object")]
    [InlineData("""{"xds_servers":[{"server_uri":"a:1","channel_creds":[{"type":"insecure"}]}],"node":{"metadata":[1]}}""", "node.metadata", "expected a JSON object")]
    [InlineData("""{"xds_servers":[{"server_uri":"a:1","channel_creds":[{"type":"insecure"}]}],"authorities":{"a.example":{"client_listener_resource_name_template":"xdstp://b.example/x/%s"}}}""", "authorities[\"a.example\"].client_listener_resource_name_template", "must start with \"xdstp://a.example/\"")]
    [InlineData("""{"xds_servers":[{"server_uri":"a:1","channel_creds":[{"type":"insecure"}]}],"authorities":{"a":{"xds_servers":[{"server_uri":"b:1"}]}}}""", "authorities[\"a\"].xds_servers[0].channel_creds", "is required")]
    [InlineData("""{"xds_servers":[{"server_uri":"a:1","channel_creds":[{"type":"insecure"}]}],"client_default_listener_resource_name_template":true}""", "client_default_listener_resource_name_template", "expected a string but found the boolean true")]
    public void AnInvalidBootstrapNamesTheField(string json, string field, string problem)
    {
        var ex = Fails(json);
        Assert.Equal(field, ex.FieldPath);
        Assert.Contains(problem, ex.Problem, StringComparison.Ordinal);
        Assert.StartsWith("xDS bootstrap (test)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BrokenJsonSaysSo()
        => Assert.Contains("not valid JSON", Fails("""{"xds_servers": [""").Problem, StringComparison.Ordinal);

    [Fact]
    public void FieldsThisClientDoesNotUseAreWarningsNotSilence()
    {
        var bootstrap = XdsBootstrap.Parse("""
            {"xds_servers":[{"server_uri":"a:1","channel_creds":[{"type":"insecure"}]}],
             "certificate_providers":{"default":{}},"server_listener_resource_name_template":"x/%s","xds_serverz":[]}
            """, "test");
        Assert.Equal(3, bootstrap.Warnings.Count);
        Assert.Contains(bootstrap.Warnings, w => w.StartsWith("'xds_serverz': unknown field", StringComparison.Ordinal));
        Assert.Contains(bootstrap.Warnings, w => w.StartsWith("'certificate_providers': used by xDS servers", StringComparison.Ordinal));
    }

    [Fact]
    public void TheFileVariableWinsOverTheInlineOne()
    {
        var variables = new Dictionary<string, string?>
        {
            [XdsBootstrap.FileVariable] = "/etc/grpc/bootstrap.json",
            [XdsBootstrap.ConfigVariable] = """{"xds_servers":[]}""",
        };
        var bootstrap = XdsBootstrap.FromEnvironment(v => variables.GetValueOrDefault(v), path => path == "/etc/grpc/bootstrap.json" ? Minimal : throw new FileNotFoundException(path));
        Assert.Equal("127.0.0.1:18000", bootstrap.Servers[0].ServerUri);
    }

    [Fact]
    public void TheInlineVariableIsUsedWithoutAFileAndErrorsNameIt()
    {
        var ok = XdsBootstrap.FromEnvironment(v => v == XdsBootstrap.ConfigVariable ? Minimal : null, _ => throw new InvalidOperationException("no file expected"));
        Assert.Single(ok.Servers);

        var ex = Assert.Throws<XdsBootstrapException>(() => XdsBootstrap.FromEnvironment(v => v == XdsBootstrap.ConfigVariable ? "{}" : null, _ => ""));
        Assert.Equal("GRPC_XDS_BOOTSTRAP_CONFIG", ex.Source);
        Assert.Equal("xds_servers", ex.FieldPath);
    }

    [Fact]
    public void AnUnreadableFileAndNoBootstrapAtAllAreClearErrors()
    {
        var unreadable = Assert.Throws<XdsBootstrapException>(() => XdsBootstrap.FromEnvironment(
            v => v == XdsBootstrap.FileVariable ? "/nope/bootstrap.json" : null, path => throw new FileNotFoundException($"Could not find file '{path}'.")));
        Assert.Equal("xDS bootstrap (GRPC_XDS_BOOTSTRAP=/nope/bootstrap.json): the file cannot be read: Could not find file '/nope/bootstrap.json'.", unreadable.Message);

        var none = Assert.Throws<XdsBootstrapException>(() => XdsBootstrap.FromEnvironment(_ => null, _ => ""));
        Assert.Contains("set GRPC_XDS_BOOTSTRAP to a bootstrap file or GRPC_XDS_BOOTSTRAP_CONFIG to its JSON", none.Message, StringComparison.Ordinal);
    }
}
