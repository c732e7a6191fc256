using Grpc.Core;

namespace Proxyless.Examples;

/// <summary>Per-backend state shared by its service instances: the reply label and call counters.</summary>
public sealed class EchoBackendState(EchoBackendOptions options)
{
    private int _calls;
    private int _httpRequests;

    /// <summary>Connections open now (updated by the server's connection middleware).</summary>
    internal int OpenConnectionCount;

    /// <summary>The options the backend was started with.</summary>
    public EchoBackendOptions Options { get; } = options;

    /// <summary>The label used in replies.</summary>
    public string Label { get; set; } = options.Label ?? "";

    /// <summary>Every call received (echo and health): its method and the client's peer address.</summary>
    public System.Collections.Concurrent.ConcurrentQueue<(string Method, string Peer)> CallLog { get; } = new();

    /// <summary>Calls received so far.</summary>
    public int Calls => Volatile.Read(ref _calls);

    /// <summary>
    /// Every HTTP request that reached the server application, gRPC or not (a client's connection probes would count
    /// here; opening a connection does not).
    /// </summary>
    public int HttpRequests => Volatile.Read(ref _httpRequests);

    /// <summary>Builds a reply.</summary>
    /// <param name="message">The request message.</param>
    public string Reply(string message) => $"{message} (from {Label})";

    internal void OnHttpRequest() => Interlocked.Increment(ref _httpRequests);

    internal void Record(ServerCallContext context) => CallLog.Enqueue((context.Method, context.Peer));

    internal void OnCall(ServerCallContext context)
    {
        Interlocked.Increment(ref _calls);
        Options.OnCall?.Invoke(context);
    }
}
