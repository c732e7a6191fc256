using Proxyless.Balancing;
using Proxyless.Calls;
using Proxyless.Balancing.Policies.RoundRobin;
using Proxyless.Resolution;
using Proxyless.Tests.Support;

namespace Proxyless.Tests.Unit;

public class PickerAndStateTests
{
    private static Picker Fixed(string name)
    {
        var helper = new FakeHelper();
        var sub = helper.CreateSubchannel(new BackendAddress(System.Net.IPEndPoint.Parse(name)), _ => { });
        return new FixedPicker(PickResult.ForSubchannel(sub));
    }

    [Fact]
    public void RoundRobinPickerRotatesEvenlyFromItsStartIndex()
    {
        var picker = new RoundRobinPicker([Fixed("127.0.0.1:1"), Fixed("127.0.0.1:2"), Fixed("127.0.0.1:3")], startIndex: 1);
        var context = new PickContext(new HttpRequestMessage());
        var picks = Enumerable.Range(0, 9).Select(_ => picker.Pick(context).Subchannel!.Address.ToString()).ToArray();
        Assert.Equal(["127.0.0.1:2", "127.0.0.1:3", "127.0.0.1:1"], picks[..3]);
        Assert.Equal(picks[..3], picks[3..6]);
    }

    [Fact]
    public void RoundRobinPickerIsEvenUnderConcurrency()
    {
        var picker = new RoundRobinPicker([Fixed("127.0.0.1:1"), Fixed("127.0.0.1:2")]);
        var counts = new int[2];
        Parallel.For(0, 100_000, _ =>
        {
            var address = picker.Pick(new PickContext(null!)).Subchannel!.Address.ToString();
            Interlocked.Increment(ref counts[address.EndsWith(":1") ? 0 : 1]);
        });
        Assert.Equal(50_000, counts[0]);
        Assert.Equal(50_000, counts[1]);
    }

    [Fact]
    public void RoundRobinPickAllocatesNothing()
    {
        var picker = new RoundRobinPicker([Fixed("127.0.0.1:1"), Fixed("127.0.0.1:2")]);
        var context = new PickContext(new HttpRequestMessage());
        picker.Pick(context);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 10_000; i++)
        {
            picker.Pick(context);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Theory]
    [InlineData(new[] { ConnectivityState.Ready, ConnectivityState.TransientFailure }, ConnectivityState.Ready)]
    [InlineData(new[] { ConnectivityState.Connecting, ConnectivityState.TransientFailure }, ConnectivityState.Connecting)]
    [InlineData(new[] { ConnectivityState.Idle, ConnectivityState.TransientFailure }, ConnectivityState.Idle)]
    [InlineData(new[] { ConnectivityState.Idle, ConnectivityState.Connecting }, ConnectivityState.Connecting)]
    [InlineData(new[] { ConnectivityState.TransientFailure, ConnectivityState.TransientFailure }, ConnectivityState.TransientFailure)]
    [InlineData(new ConnectivityState[0], ConnectivityState.TransientFailure)]
    public void AggregateStateFollowsGrpcRules(ConnectivityState[] children, ConnectivityState expected)
    {
        var list = children.Select((s, i) => new EndpointChild(new BackendEndpoint(new BackendAddress("127.0.0.1", i + 1)), i.ToString()) { State = s }).ToList();
        Assert.Equal(expected, EndpointSharding.AggregateState(list));
    }

    [Fact]
    public void FailureResponseMessageIsPercentEncoded()
    {
        Assert.Equal("a%25b %C3%A9", GrpcStatusResponse.PercentEncode("a%b é"));
        Assert.Equal("line%0A2", GrpcStatusResponse.PercentEncode("line\n2"));
    }

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

    [Fact]
    public void MethodDefaultsLookupPrefersMethodThenServiceThenDefault()
    {
        var interceptor = new MethodDefaultsInterceptor(
        [
            new(new[] { ("", "") }, TimeSpan.FromSeconds(1), null),
            new(new[] { ("a.S", "") }, TimeSpan.FromSeconds(2), null),
            new(new[] { ("a.S", "M") }, TimeSpan.FromSeconds(3), true),
        ]);
        Assert.Equal(TimeSpan.FromSeconds(3), interceptor.Find("a.S", "M")!.Timeout);
        Assert.Equal(TimeSpan.FromSeconds(2), interceptor.Find("a.S", "Other")!.Timeout);
        Assert.Equal(TimeSpan.FromSeconds(1), interceptor.Find("b.T", "M")!.Timeout);
    }

    private sealed class FixedPicker(PickResult result) : Picker
    {
        public override PickResult Pick(in PickContext context) => result;
    }
}
