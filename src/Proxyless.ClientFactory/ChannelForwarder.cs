namespace Proxyless.ClientFactory;

/// <summary>
/// The primary handler the client factory gets: forwards every request to the client's shared balancing handler,
/// which it does not own (the factory may dispose its handlers; the balanced channel lives until the container does).
/// </summary>
internal sealed class ChannelForwarder(HttpMessageHandler balancer) : HttpMessageHandler
{
    private readonly HttpMessageInvoker _invoker = new(balancer, disposeHandler: false);

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        => _invoker.SendAsync(request, cancellationToken);
}
