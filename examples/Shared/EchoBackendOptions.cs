using Grpc.Core;

namespace Proxyless.Examples;

/// <summary>How an <see cref="EchoBackend"/> answers.</summary>
public sealed class EchoBackendOptions
{
    /// <summary>The text after "from" in replies: <c>&lt;message&gt; (from &lt;Label&gt;)</c>. The bound address when null.</summary>
    public string? Label { get; set; }

    /// <summary>Delay before each unary reply (to simulate a slow backend).</summary>
    public TimeSpan UnaryDelay { get; set; }

    /// <summary>When set, unary calls fail with this status (to simulate a broken backend); can be changed while running.</summary>
    public Grpc.Core.StatusCode? FailWith { get; set; }

    /// <summary>
    /// When set, server-streaming calls fail with this status after their first reply, so the status comes in trailers
    /// after a body (not in a trailers-only response).
    /// </summary>
    public Grpc.Core.StatusCode? StreamFailWith { get; set; }

    /// <summary>
    /// When set, every response carries an ORCA load report (trailer <c>endpoint-load-metrics-bin</c>) with this CPU
    /// utilization and <see cref="OrcaQps"/>, for weighted_round_robin; the recorder can be changed while running.
    /// </summary>
    public double? OrcaCpuUtilization { get; set; }

    /// <summary>The QPS the ORCA report states (measured from real calls when null).</summary>
    public double? OrcaQps { get; set; }

    /// <summary>Called at the start of every call (tests record peers and metadata with it).</summary>
    public Action<ServerCallContext>? OnCall { get; set; }

    /// <summary>Serve <c>grpc.health.v1.Health</c> (SERVING for "" and grpc.examples.echo.Echo).</summary>
    public bool EnableHealthService { get; set; } = true;

    /// <summary>Serve over TLS with this certificate (with private key); plaintext HTTP/2 when null.</summary>
    public System.Security.Cryptography.X509Certificates.X509Certificate2? ServerCertificate { get; set; }

    /// <summary>Require client certificates issued by this CA (mutual TLS); needs <see cref="ServerCertificate"/>.</summary>
    public DevCertificateAuthority? ClientCertificateAuthority { get; set; }

    /// <summary>Extra endpoints to listen on with the same service (e.g. the IPv6 twin of an IPv4 address).</summary>
    public IList<System.Net.IPEndPoint> AdditionalEndPoints { get; } = new List<System.Net.IPEndPoint>();
}
