namespace Proxyless.Cli.Load;

/// <summary>What <c>proxyless load</c> was asked to do. The run stops at <see cref="Count"/> calls or after
/// <see cref="Duration"/>, whichever comes first; both are always set, so every run is bounded.</summary>
/// <param name="Target">The gRPC target.</param>
/// <param name="ServiceConfig">The channel's service config JSON.</param>
/// <param name="Concurrency">Callers running at once.</param>
/// <param name="Count">Calls to make at most.</param>
/// <param name="Duration">How long to run at most.</param>
/// <param name="Rps">Calls started per second across all callers; 0 for as fast as they go.</param>
/// <param name="Streaming">Server-streaming calls (ServerStreamingEcho, three replies) instead of unary.</param>
/// <param name="Message">The message to echo.</param>
/// <param name="CallTimeout">Each call's deadline.</param>
internal sealed record LoadSettings(string Target, string ServiceConfig, int Concurrency, int Count, TimeSpan Duration, int Rps, bool Streaming, string Message, TimeSpan CallTimeout);
