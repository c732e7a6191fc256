using Proxyless.Diagnostics;

namespace Proxyless.Tests.Unit.Diagnostics;

/// <summary>A66's message sizes: only payload bytes count, whatever the split of the body into reads or writes.</summary>
public class MessageSizeCounterTests
{
    private static byte[] Message(int payload) => [0, (byte)(payload >> 24), (byte)(payload >> 16), (byte)(payload >> 8), (byte)payload, .. new byte[payload]];

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(1000)]
    public void PayloadBytesAreCountedAcrossAnySplit(int chunk)
    {
        byte[] body = [.. Message(3), .. Message(0), .. Message(300)];
        var counter = new MessageSizeCounter();
        for (var i = 0; i < body.Length; i += chunk)
        {
            counter.Observe(body.AsSpan(i, Math.Min(chunk, body.Length - i)));
        }

        Assert.Equal(303, counter.PayloadBytes);
        Assert.Equal(3, counter.Messages);
    }

    [Fact]
    public void AMessageCutShortCountsWhatArrived()
    {
        var counter = new MessageSizeCounter();
        counter.Observe(Message(100).AsSpan(0, 45));
        Assert.Equal(40, counter.PayloadBytes);
    }

    [Theory]
    [InlineData("/grpc.examples.echo.Echo/UnaryEcho", "grpc.examples.echo.Echo/UnaryEcho")]
    [InlineData("/", "other")]
    [InlineData("/no-method", "other")]
    [InlineData("/a/b/c", "other")]
    [InlineData("//b", "other")]
    public void MethodLabelsAreTheFullNameOrOther(string path, string label) => Assert.Equal(label, MetricMethodNames.FromPath(path));
}
