
namespace Proxyless.Xds.Resources;

/// <summary>
/// A route's or virtual host's retry policy (gRFC A44): the statuses retried, how many retries, and the backoff. An
/// empty <see cref="RetryOn"/> means no retries.
/// </summary>
internal sealed record XdsRetryPolicy(IReadOnlySet<StatusCode> RetryOn, uint NumRetries, TimeSpan BaseInterval, TimeSpan MaxInterval);
