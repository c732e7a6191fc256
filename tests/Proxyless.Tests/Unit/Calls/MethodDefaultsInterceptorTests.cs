using Proxyless.Calls;

namespace Proxyless.Tests.Unit.Calls;

public class MethodDefaultsInterceptorTests
{
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
}
