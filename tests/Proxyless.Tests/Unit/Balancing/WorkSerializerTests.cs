using Proxyless.Balancing;

namespace Proxyless.Tests.Unit.Balancing;

public class WorkSerializerTests
{
    [Fact]
    public void SerializerRunsActionsOneAtATimeInOrder()
    {
        var serializer = new WorkSerializer(Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        var inside = 0;
        var maxInside = 0;
        var order = new System.Collections.Concurrent.ConcurrentQueue<int>();
        Parallel.For(0, 2000, i => serializer.Post(() =>
        {
            var now = Interlocked.Increment(ref inside);
            maxInside = Math.Max(maxInside, now);
            order.Enqueue(i);
            Interlocked.Decrement(ref inside);
        }));
        serializer.Drain();
        Assert.Equal(1, maxInside);
        Assert.Equal(2000, order.Count);
    }

    [Fact]
    public void SerializerRunsNestedPostsAfterTheCurrentAction()
    {
        var serializer = new WorkSerializer(Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        var log = new List<string>();
        serializer.Post(() =>
        {
            serializer.Post(() => log.Add("inner"));
            log.Add("outer");
        });
        Assert.Equal(["outer", "inner"], log);
    }
}
