using System.Collections.Concurrent;
using Microsoft.Extensions.Time.Testing;
using Proxyless.Resolution;
using Proxyless.Tests.Support;

namespace Proxyless.Tests.Unit.Resolution;

public class PollingResolverTests
{
    private sealed class CountingResolver(ResolverOptions options, Func<int, ResolverResult> answer, TimeSpan? refreshInterval = null)
        : PollingResolver(options, TimeSpan.FromSeconds(30), refreshInterval: refreshInterval)
    {
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        protected override Task<ResolverResult> ResolveAsync(CancellationToken cancellationToken)
            => Task.FromResult(answer(Interlocked.Increment(ref _calls)));
    }

    private static ResolverResult Ok(int endpoints = 1)
        => ResolverResult.ForEndpoints([.. Enumerable.Range(1, endpoints).Select(p => new BackendEndpoint(new BackendAddress("127.0.0.1", p)))]);

    [Fact]
    public async Task ReResolutionIsRateLimitedToTheMinimumInterval()
    {
        var time = new FakeTimeProvider();
        var results = new ConcurrentQueue<ResolverResult>();
        using var resolver = new CountingResolver(new ResolverOptions { TimeProvider = time }, _ => Ok());
        resolver.Start(results.Enqueue);
        await Eventually.TrueAsync(() => results.Count == 1, "the first resolution");

        for (var i = 0; i < 5; i++)
        {
            resolver.RefreshResolution();
        }

        time.Advance(TimeSpan.FromSeconds(29));
        await Task.Yield();
        Assert.Equal(1, resolver.Calls); // asked five times, but 30 s have not passed

        time.Advance(TimeSpan.FromSeconds(1));
        await Eventually.TrueAsync(() => results.Count == 2, "one deferred re-resolution");
        Assert.Equal(2, resolver.Calls);
    }

    [Fact]
    public async Task AFailureIsReportedAndRetriedWithBackoff()
    {
        var time = new FakeTimeProvider();
        var results = new ConcurrentQueue<ResolverResult>();
        using var resolver = new CountingResolver(
            new ResolverOptions { TimeProvider = time },
            n => n == 1 ? ResolverResult.ForFailure(new Status(StatusCode.Unavailable, "lookup failed")) : Ok());
        resolver.Start(results.Enqueue);
        await Eventually.TrueAsync(() => results.Count == 1, "the failed resolution");
        Assert.Null(results.First().Endpoints);

        time.Advance(TimeSpan.FromSeconds(1.3)); // gRPC backoff: about 1 s (±20 %)
        await Eventually.TrueAsync(() => results.Count == 2, "the retry");
        Assert.NotNull(results.Last().Endpoints);
    }

    [Fact]
    public async Task AnExceptionBecomesAnUnavailableResultNamingTheResolver()
    {
        var results = new ConcurrentQueue<ResolverResult>();
        using var resolver = new CountingResolver(new ResolverOptions { TimeProvider = new FakeTimeProvider() }, _ => throw new InvalidDataException("bad registry entry"));
        resolver.Start(results.Enqueue);
        await Eventually.TrueAsync(() => results.Count == 1, "the failure");
        var error = results.First().Error;
        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        Assert.Contains("CountingResolver", error.Detail);
        Assert.Contains("bad registry entry", error.Detail);
    }

    [Fact]
    public async Task WithARefreshIntervalANewAddressIsSeenWithinOneIntervalWithoutBeingAsked()
    {
        // A headless service that gains a pod: the third lookup returns two addresses.
        var time = new FakeTimeProvider();
        var results = new ConcurrentQueue<ResolverResult>();
        using var resolver = new CountingResolver(new ResolverOptions { TimeProvider = time }, n => Ok(n >= 3 ? 2 : 1), refreshInterval: TimeSpan.FromSeconds(60));
        resolver.Start(results.Enqueue);
        await Eventually.TrueAsync(() => results.Count == 1, "the first resolution");

        time.Advance(TimeSpan.FromSeconds(59));
        await Task.Yield();
        Assert.Equal(1, resolver.Calls); // nobody asked, and the interval has not passed
        time.Advance(TimeSpan.FromSeconds(1));
        await Eventually.TrueAsync(() => results.Count == 2, "the lookup after one interval");
        time.Advance(TimeSpan.FromSeconds(60));
        await Eventually.TrueAsync(() => results.Count == 3, "the lookup after two intervals");
        Assert.Equal(2, results.Last().Endpoints!.Count);
    }

    [Fact]
    public async Task WithoutARefreshIntervalNothingIsLookedUpUnlessAsked()
    {
        var time = new FakeTimeProvider();
        var results = new ConcurrentQueue<ResolverResult>();
        using var resolver = new CountingResolver(new ResolverOptions { TimeProvider = time }, _ => Ok());
        resolver.Start(results.Enqueue);
        await Eventually.TrueAsync(() => results.Count == 1, "the first resolution");
        time.Advance(TimeSpan.FromDays(1));
        await Task.Yield();
        Assert.Equal(1, resolver.Calls);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    public void ARefreshIntervalThatIsNotPositiveIsRejected(int seconds)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new CountingResolver(new ResolverOptions(), _ => Ok(), TimeSpan.FromSeconds(seconds)));
        Assert.Contains("RefreshInterval", ex.Message);
    }
}
