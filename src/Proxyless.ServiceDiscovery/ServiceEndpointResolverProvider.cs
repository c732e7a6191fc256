using Grpc.Core;
using System.Net;
using Microsoft.Extensions.ServiceDiscovery;
using Proxyless.Resolution;

namespace Proxyless.ServiceDiscovery;

/// <summary>
/// Resolves targets written the .NET Aspire way (<c>https+http://greeter</c>, <c>http://greeter</c>) through the app's
/// <see cref="ServiceEndpointResolver"/>: its configuration provider (<c>Services:greeter:http:0</c>), and any other
/// provider the app added. Follows the source's change tokens, so endpoints added in configuration reach the picker
/// without a restart. Register it with <c>AddProxylessServiceDiscovery()</c>.
/// </summary>
/// <param name="scheme">The scheme this provider serves.</param>
/// <param name="resolver">The app's endpoint resolver.</param>
internal sealed class ServiceEndpointResolverProvider(string scheme, ServiceEndpointResolver resolver) : ResolverProvider
{
    public override string Scheme { get; } = scheme;

    public override string GetDefaultAuthority(ResolverTarget target) => target.Authority;

    public override Resolver CreateResolver(ResolverTarget target, ResolverOptions options)
    {
        if (target.Authority.Length == 0)
        {
            throw new ArgumentException($"Target '{target}' names no service: write '{Scheme}://service-name'.");
        }

        return new SourceResolver($"{Scheme}://{target.Authority}", resolver);
    }

    private sealed class SourceResolver(string serviceName, ServiceEndpointResolver resolver) : Resolver
    {
        private readonly CancellationTokenSource _disposed = new();
        private IDisposable? _changeRegistration;

        public override void Start(Action<ResolverResult> listener) => _ = ResolveAsync(listener);

        private async Task ResolveAsync(Action<ResolverResult> listener)
        {
            ResolverResult result;
            IDisposable? registration = null;
            try
            {
                var source = await resolver.GetEndpointsAsync(serviceName, _disposed.Token).ConfigureAwait(false);
                var endpoints = source.Endpoints.Select(e => ToAddress(e.EndPoint)).OfType<BackendAddress>().Select(a => new BackendEndpoint(a)).ToArray();
                result = endpoints.Length > 0
                    ? ResolverResult.ForEndpoints(endpoints)
                    : ResolverResult.ForFailure(new Status(StatusCode.Unavailable, $"service discovery found no endpoints for '{serviceName}'"));
                registration = source.ChangeToken.RegisterChangeCallback(_ => _ = ResolveAsync(listener), null);
            }
            catch (OperationCanceledException) when (_disposed.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                result = ResolverResult.ForFailure(new Status(StatusCode.Unavailable, $"service discovery of '{serviceName}' failed: {ex.Message}", ex));
            }

            Interlocked.Exchange(ref _changeRegistration, registration)?.Dispose();
            if (!_disposed.IsCancellationRequested)
            {
                listener(result);
            }
        }

        // IP endpoints as they are; host names and URIs as host:port for the subchannel to dial.
        private static BackendAddress? ToAddress(EndPoint endPoint) => endPoint switch
        {
            IPEndPoint ip => new BackendAddress(ip),
            DnsEndPoint dns => new BackendAddress(dns.Host, dns.Port),
            UriEndPoint uri => new BackendAddress(uri.Uri.Host, uri.Uri.Port),
            _ => null,
        };

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _disposed.Cancel();
                Interlocked.Exchange(ref _changeRegistration, null)?.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
