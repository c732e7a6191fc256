using System.Net.Sockets;
using Proxyless.Diagnostics;

namespace Proxyless.Tests.Unit.Diagnostics;

/// <summary>gRFC A94's <c>grpc.disconnect_error</c> values, from a GOAWAY's error code and a failure's socket error.</summary>
public class SubchannelMetricsTests
{
    [Theory]
    [InlineData(0u, "GOAWAY NO_ERROR")]
    [InlineData(11u, "GOAWAY ENHANCE_YOUR_CALM")]
    [InlineData(13u, "GOAWAY HTTP_1_1_REQUIRED")]
    [InlineData(99u, "GOAWAY 99")]
    public void AGoAwayIsNamedByItsHttp2Error(uint code, string expected) => Assert.Equal(expected, SubchannelMetrics.GoAway(code));

    [Theory]
    [InlineData(SocketError.ConnectionReset, "connection reset")]
    [InlineData(SocketError.TimedOut, "connection timed out")]
    [InlineData(SocketError.ConnectionAborted, "connection aborted")]
    [InlineData(SocketError.Shutdown, "socket error")]
    public void ASocketFailureIsNamedByItsErrorCodeEvenWhenWrapped(SocketError error, string expected)
        => Assert.Equal(expected, SubchannelMetrics.DisconnectErrorOf(new IOException("read failed", new SocketException((int)error))));

    [Fact]
    public void OtherFailuresAreSocketErrorsOrUnknown()
    {
        Assert.Equal("socket error", SubchannelMetrics.DisconnectErrorOf(new IOException("broken")));
        Assert.Equal("unknown", SubchannelMetrics.DisconnectErrorOf(new InvalidOperationException("?")));
    }
}
