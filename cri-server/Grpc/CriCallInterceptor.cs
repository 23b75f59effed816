using System.Diagnostics;
using CriO.Server.Daemon;
using CriO.Server.Errors;
using CriO.Server.Telemetry;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Logging;

namespace CriO.Server.Grpc;

/// <summary>
/// Wraps every CRI call once: answers Unavailable until start-up is done, opens a span, logs
/// start and outcome, and maps exceptions to gRPC status codes in this one place, so handlers
/// only throw the CriException family and never build a Status themselves.
/// </summary>
public sealed class CriCallInterceptor(DaemonState daemon, ILogger<CriCallInterceptor> logger) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(continuation);
        var method = MethodName(context);
        using var activity = Begin(method, context);
        var started = Stopwatch.GetTimestamp();
        try
        {
            var response = await continuation(request, context).ConfigureAwait(false);
            Succeeded(method, started);
            return response;
        }
        catch (Exception e)
        {
            throw Translate(e, method, started, context, activity);
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(continuation);
        var method = MethodName(context);
        using var activity = Begin(method, context);
        var started = Stopwatch.GetTimestamp();
        try
        {
            await continuation(request, responseStream, context).ConfigureAwait(false);
            Succeeded(method, started);
        }
        catch (Exception e)
        {
            throw Translate(e, method, started, context, activity);
        }
    }

    // "/runtime.v1.RuntimeService/Version" -> "Version": what operators search logs for.
    private static string MethodName(ServerCallContext context)
    {
        var full = context.Method;
        return full[(full.LastIndexOf('/') + 1)..];
    }

    private Activity? Begin(string method, ServerCallContext context)
    {
        if (!daemon.IsReady)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, "crio is starting up; retry shortly"));
        }

        CriCallLog.Started(logger, method);
        var activity = CriActivitySource.StartCall(method, context.RequestHeaders);
        activity?.SetTag("rpc.system", "grpc");
        activity?.SetTag("rpc.method", method);
        return activity;
    }

    private void Succeeded(string method, long started)
    {
        var elapsed = Stopwatch.GetElapsedTime(started);
        CriCallLog.Succeeded(logger, method, elapsed.TotalMilliseconds);
        CrioMetrics.OperationDone(method, elapsed, errorType: null);
    }

    private RpcException Translate(Exception error, string method, long started, ServerCallContext context, Activity? activity)
    {
        var status = error switch
        {
            CriException cri => new Status(cri.StatusCode, cri.Message),

            // The generated base class answers Unimplemented with no text; name the call instead.
            RpcException { StatusCode: StatusCode.Unimplemented } rpc when string.IsNullOrEmpty(rpc.Status.Detail) =>
                new Status(StatusCode.Unimplemented, $"{method} is not implemented by crio yet"),
            RpcException rpc => rpc.Status,
            OperationCanceledException when context.CancellationToken.IsCancellationRequested =>
                context.Deadline <= DateTime.UtcNow
                    ? new Status(StatusCode.DeadlineExceeded, $"{method}: the client's deadline passed")
                    : new Status(StatusCode.Cancelled, $"{method}: cancelled by the client"),
            _ => new Status(StatusCode.Internal, $"{method}: {error.Message}"),
        };

        if (status.StatusCode == StatusCode.Internal)
        {
            CriCallLog.Failed(logger, method, error);
        }
        else
        {
            CriCallLog.Refused(logger, method, status.StatusCode, status.Detail);
        }

        CrioMetrics.OperationDone(method, Stopwatch.GetElapsedTime(started), status.StatusCode.ToString());
        activity?.SetStatus(ActivityStatusCode.Error, status.Detail);
        activity?.SetTag("rpc.grpc.status_code", (int)status.StatusCode);
        return new RpcException(status);
    }
}
