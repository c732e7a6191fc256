using Grpc.Core;

namespace Proxyless.Transport;

/// <summary>
/// SocketsHttpHandler wanted a new connection on a subchannel that is not connecting or connected (it is IDLE, in
/// backoff, or shut down), typically to resend a request a dying connection refused. Nothing is dialled: the request
/// never left this process and is picked again on another backend.
/// </summary>
internal sealed class SubchannelNotConnectedException(string address, ConnectivityState state)
    : IOException($"the subchannel for {address} is {state}, not connected");
