using Proxyless.Diagnostics;

namespace Proxyless.Tests.Unit.Diagnostics;

/// <summary>gRFC A94's <c>grpc.disconnect_error</c> values, from the reasons the connection stream gives.</summary>
public class SubchannelMetricsTests
{
    [Theory]
    [InlineData("the server sent GOAWAY", "GOAWAY NO_ERROR")]
    [InlineData("the server sent GOAWAY with HTTP/2 error 11", "GOAWAY ENHANCE_YOUR_CALM")]
    [InlineData("the server sent GOAWAY with HTTP/2 error 99", "GOAWAY 99")]
    [InlineData("the connection broke: Connection reset by peer (ConnectionReset)", "connection reset")]
    [InlineData("no reply to a keepalive ping within 1s", "connection timed out")]
    [InlineData("the connection broke: Connection timed out (TimedOut)", "connection timed out")]
    [InlineData("the connection broke: Software caused connection abort (ConnectionAborted)", "connection aborted")]
    [InlineData("writing to the connection failed: Broken pipe (Shutdown)", "socket error")]
    [InlineData("the server closed the connection", "unknown")]
    public void ReasonsMapToA94Values(string reason, string expected) => Assert.Equal(expected, SubchannelMetrics.DisconnectError(reason));
}
