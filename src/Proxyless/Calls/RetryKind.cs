namespace Proxyless.Calls;

/// <summary>How the service config has a method's calls retried.</summary>
internal enum RetryKind
{
    /// <summary>Not at all: a call is one HTTP request (plus the balancer's own transparent retries).</summary>
    None,

    /// <summary>A <c>retryPolicy</c>.</summary>
    Retry,

    /// <summary>A <c>hedgingPolicy</c>.</summary>
    Hedging,
}
