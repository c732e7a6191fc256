using Proxyless.Calls;

namespace Proxyless.Tests.Unit.Calls;

public class GrpcStatusResponseTests
{
    [Fact]
    public void FailureResponseMessageIsPercentEncoded()
    {
        Assert.Equal("a%25b %C3%A9", GrpcStatusResponse.PercentEncode("a%b é"));
        Assert.Equal("line%0A2", GrpcStatusResponse.PercentEncode("line\n2"));
    }
}
