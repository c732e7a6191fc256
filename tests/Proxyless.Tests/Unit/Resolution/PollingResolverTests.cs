using System.Collections.Concurrent;
using Microsoft.Extensions.Time.Testing;
using Proxyless.Resolution;
using Proxyless.Tests.Support;

namespace Proxyless.Tests.Unit.Resolution;

public class PollingResolverTests
{
    private sealed class CountingResolver(ResolverOptions options, Func<int, ResolverResult> answer)
        : PollingResolver(options, TimeSpan.FromSeconds(30))
    {
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        protected override Task<ResolverResult> ResolveAsync(CancellationToken cancellationToken)
            => Task.FromResult(answer(Interlocked.Increment(ref _calls)));
    }

    private static ResolverResult Ok() => ResolverResult.ForEndpoints([new BackendEndpoint(new BackendAddress("127.0.0.1", 1))]);

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
}
