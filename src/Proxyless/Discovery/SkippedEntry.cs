namespace Proxyless.Discovery;

/// <summary>A registry entry that was not served, and why (malformed, stale, or filed under the wrong service).</summary>
/// <param name="Location">Where it lives: a file path or an etcd key.</param>
/// <param name="Reason">What is wrong with it, naming the field when a field is wrong.</param>
public sealed record SkippedEntry(string Location, string Reason);
