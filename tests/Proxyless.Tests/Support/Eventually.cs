namespace Proxyless.Tests.Support;

/// <summary>Polls a condition until it holds or a deadline passes (no fixed sleeps as synchronisation).</summary>
internal static class Eventually
{
    public static Task TrueAsync(Func<bool> condition, string what, TimeSpan? timeout = null)
        => TrueAsync(() => Task.FromResult(condition()), what, timeout);

    public static async Task TrueAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Timed out waiting for: {what}");
            }

            await Task.Delay(10);
        }
    }

    /// <summary>Waits until <paramref name="count"/> of the channel's subchannels are READY.</summary>
    public static Task ReadyAsync(BalancedChannel channel, int count, string what)
        => TrueAsync(() => channel.GetDiagnostics().Subchannels.Count(s => s.State == ConnectivityState.Ready) == count, what);
}
