using Google.Protobuf;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Proxyless.Orca;

namespace Proxyless.AspNetCore.Orca;

/// <summary>Adds the server's ORCA load report to the trailers of every call, and counts calls for QPS and EPS.</summary>
internal sealed class OrcaServerInterceptor(OrcaMetricsRecorder recorder) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            var response = await continuation(request, context).ConfigureAwait(false);
            Report(context, failed: false);
            return response;
        }
        catch (RpcException)
        {
            Report(context, failed: true);
            throw;
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(request, responseStream, context).ConfigureAwait(false);
            Report(context, failed: false);
        }
        catch (RpcException)
        {
            Report(context, failed: true);
            throw;
        }
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            var response = await continuation(requestStream, context).ConfigureAwait(false);
            Report(context, failed: false);
            return response;
        }
        catch (RpcException)
        {
            Report(context, failed: true);
            throw;
        }
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(requestStream, responseStream, context).ConfigureAwait(false);
            Report(context, failed: false);
        }
        catch (RpcException)
        {
            Report(context, failed: true);
            throw;
        }
    }

    private void Report(ServerCallContext context, bool failed)
    {
        recorder.RecordCall(failed);
        context.ResponseTrailers.Add(OrcaTrailer.Name, recorder.Snapshot().ToByteArray());
    }
}
