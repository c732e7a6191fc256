using Proxyless.Configuration;

namespace Proxyless.Tests.Unit.Configuration;

public class ExponentialBackoffTests
{
    [Fact]
    public void FollowsGrpcConnectionBackoffWithoutJitter()
    {
        var backoff = new ExponentialBackoff(new BackoffOptions(), random: () => 0.5); // 0.5 = no jitter
        var delays = Enumerable.Range(0, 14).Select(_ => backoff.NextDelay().TotalSeconds).ToArray();
        Assert.Equal(1.0, delays[0], 6);
        Assert.Equal(1.6, delays[1], 6);
        Assert.Equal(2.56, delays[2], 6);
        Assert.Equal(4.096, delays[3], 6);
        Assert.Equal(120, delays[^1], 6); // capped
        Assert.All(delays, d => Assert.True(d <= 120));
    }

    [Fact]
    public void JitterStaysWithinTwentyPercent()
    {
        var low = new ExponentialBackoff(new BackoffOptions(), random: () => 0.0).NextDelay().TotalSeconds;
        var high = new ExponentialBackoff(new BackoffOptions(), random: () => 0.999999).NextDelay().TotalSeconds;
        Assert.Equal(0.8, low, 6);
        Assert.Equal(1.2, high, 4);
    }

    [Fact]
    public void ResetStartsAgainAtOneSecond()
    {
        var backoff = new ExponentialBackoff(new BackoffOptions(), random: () => 0.5);
        backoff.NextDelay();
        backoff.NextDelay();
        backoff.Reset();
        Assert.Equal(1.0, backoff.NextDelay().TotalSeconds, 6);
    }

    [Fact]
    public void ConnectTimeoutIsAtLeastTwentySecondsAndGrowsWithBackoff()
    {
        var backoff = new ExponentialBackoff(new BackoffOptions(), random: () => 0.5);
        Assert.Equal(TimeSpan.FromSeconds(20), backoff.ConnectTimeout);
        for (var i = 0; i < 10; i++)
        {
            backoff.NextDelay();
        }

        Assert.True(backoff.ConnectTimeout > TimeSpan.FromSeconds(20));
        Assert.Equal(backoff.CurrentBase, backoff.ConnectTimeout);
    }

    [Fact]
    public void InvalidOptionsAreRejectedByName()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new ExponentialBackoff(new BackoffOptions { Jitter = 1.5 }));
        Assert.Equal("Jitter", ex.ParamName);
    }
}
