namespace Proxyless.Tests.Functional;

public class TlsExampleTests
{
    [Fact]
    public async Task TheTlsExampleSucceedsWithPerAddressNames()
    {
        var output = new StringWriter();
        Assert.Equal(0, await Tls.TlsExample.RunAsync(output, wrongName: false, [0, 0, 0]));
        var lines = output.ToString().Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
        Assert.Equal("--- calling grpc.examples.echo.Echo/UnaryEcho with pick_first ---", lines[0]);
        Assert.All(lines[1..11], l => Assert.Equal("this is examples/load_balancing (from member1.etcd.local)", l));
        Assert.Equal("--- calling grpc.examples.echo.Echo/UnaryEcho with round_robin ---", lines[12]);
        Assert.All(new[] { 1, 2, 3 }, n => Assert.Contains($"this is examples/load_balancing (from member{n}.etcd.local)", lines[13..23]));
    }

    [Fact]
    public async Task TheTlsExampleWithWrongNamesShowsThePreciseError()
    {
        var output = new StringWriter();
        Assert.Equal(1, await Tls.TlsExample.RunAsync(output, wrongName: true, [0, 0, 0]));
        var text = output.ToString();
        Assert.Contains("code = Unavailable", text);
        Assert.Matches(@"TLS handshake with 127\.0\.0\.1:\d+ \(server name 'lb\.example\.grpc\.io'\) failed: certificate is valid for member\d\.etcd\.local, not lb\.example\.grpc\.io", text);
    }
}
