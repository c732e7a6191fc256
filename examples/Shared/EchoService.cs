using Grpc.Core;
using Grpc.Examples.Echo;

namespace Proxyless.Examples;

/// <summary>
/// The echo service of grpc-go's examples: every reply is <c>&lt;message&gt; (from &lt;label&gt;)</c>. Server streaming
/// sends three replies (or one, then fails, with <see cref="EchoBackendOptions.StreamFailWith"/>); client streaming
/// answers the messages joined by commas; bidi echoes each message.
/// </summary>
public sealed class EchoService(EchoBackendState state) : Echo.EchoBase
{
    /// <inheritdoc />
    public override async Task<EchoResponse> UnaryEcho(EchoRequest request, ServerCallContext context)
    {
        state.OnCall(context);
        if (state.Options.FailWith is { } failure)
        {
            throw new RpcException(new Status(failure, $"{state.Label} is failing on purpose"));
        }

        if (state.Options.UnaryDelay > TimeSpan.Zero)
        {
            await Task.Delay(state.Options.UnaryDelay, context.CancellationToken);
        }

        return new EchoResponse { Message = state.Reply(request.Message) };
    }

    /// <inheritdoc />
    public override async Task ServerStreamingEcho(EchoRequest request, IServerStreamWriter<EchoResponse> responseStream, ServerCallContext context)
    {
        state.OnCall(context);
        for (var i = 0; i < 3; i++)
        {
            await responseStream.WriteAsync(new EchoResponse { Message = state.Reply(request.Message) }, context.CancellationToken);
            if (state.Options.StreamFailWith is { } failure)
            {
                throw new RpcException(new Status(failure, $"{state.Label} fails streams on purpose"));
            }
        }
    }

    /// <inheritdoc />
    public override async Task<EchoResponse> ClientStreamingEcho(IAsyncStreamReader<EchoRequest> requestStream, ServerCallContext context)
    {
        state.OnCall(context);
        var messages = new List<string>();
        await foreach (var request in requestStream.ReadAllAsync(context.CancellationToken))
        {
            messages.Add(request.Message);
        }

        return new EchoResponse { Message = state.Reply(string.Join(",", messages)) };
    }

    /// <inheritdoc />
    public override async Task BidirectionalStreamingEcho(IAsyncStreamReader<EchoRequest> requestStream, IServerStreamWriter<EchoResponse> responseStream, ServerCallContext context)
    {
        state.OnCall(context);
        await foreach (var request in requestStream.ReadAllAsync(context.CancellationToken))
        {
            await responseStream.WriteAsync(new EchoResponse { Message = state.Reply(request.Message) }, context.CancellationToken);
        }
    }
}
