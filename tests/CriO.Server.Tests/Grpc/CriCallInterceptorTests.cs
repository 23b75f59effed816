using CriO.Server.Config;
using CriO.Server.Daemon;
using CriO.Server.Errors;
using CriO.Server.Grpc;
using Grpc.Core;
using Microsoft.Extensions.Logging.Abstractions;

namespace CriO.Server.Tests.Grpc;

public class CriCallInterceptorTests
{
    private const string Method = "/runtime.v1.RuntimeService/RunPodSandbox";

    [Theory]
    [InlineData(typeof(NotFoundException), StatusCode.NotFound)]
    [InlineData(typeof(AlreadyExistsException), StatusCode.AlreadyExists)]
    [InlineData(typeof(InvalidArgumentException), StatusCode.InvalidArgument)]
    [InlineData(typeof(FailedPreconditionException), StatusCode.FailedPrecondition)]
    [InlineData(typeof(UnavailableException), StatusCode.Unavailable)]
    public async Task Each_CriException_becomes_its_status_code_with_its_message(Type exceptionType, StatusCode expected)
    {
        var error = (Exception)Activator.CreateInstance(exceptionType, "pod \"web\" is reserved by abc123", null)!;

        var thrown = await CallFailingWith(error);

        Assert.Equal(expected, thrown.StatusCode);
        Assert.Equal("pod \"web\" is reserved by abc123", thrown.Status.Detail);
    }

    [Fact]
    public async Task An_unexpected_exception_is_Internal_with_its_cause()
    {
        var thrown = await CallFailingWith(new IOException("disk full"));

        Assert.Equal(StatusCode.Internal, thrown.StatusCode);
        Assert.Equal("RunPodSandbox: disk full", thrown.Status.Detail);
    }

    [Fact]
    public async Task The_generated_unimplemented_answer_gets_the_RPC_name()
    {
        var thrown = await CallFailingWith(new RpcException(new Status(StatusCode.Unimplemented, "")));

        Assert.Equal(StatusCode.Unimplemented, thrown.StatusCode);
        Assert.Equal("RunPodSandbox is not implemented by crio yet", thrown.Status.Detail);
    }

    [Fact]
    public async Task Cancellation_by_the_client_is_Cancelled_and_a_passed_deadline_is_DeadlineExceeded()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        var byClient = await CallFailingWith(new OperationCanceledException(cancelled.Token), DateTime.MaxValue, cancelled.Token);
        var byDeadline = await CallFailingWith(new OperationCanceledException(cancelled.Token), DateTime.UtcNow.AddSeconds(-1), cancelled.Token);

        Assert.Equal(StatusCode.Cancelled, byClient.StatusCode);
        Assert.Equal(StatusCode.DeadlineExceeded, byDeadline.StatusCode);
    }

    [Fact]
    public async Task Before_start_up_is_done_every_call_is_Unavailable_and_not_run()
    {
        var interceptor = new CriCallInterceptor(new DaemonState(new CrioConfig()), NullLogger<CriCallInterceptor>.Instance);
        var ran = false;

        var thrown = await Assert.ThrowsAsync<RpcException>(() => interceptor.UnaryServerHandler<string, string>(
            "request", new FakeServerCallContext(Method, DateTime.MaxValue, CancellationToken.None),
            (_, _) => { ran = true; return Task.FromResult("response"); }));

        Assert.Equal(StatusCode.Unavailable, thrown.StatusCode);
        Assert.False(ran);
    }

    [Fact]
    public async Task A_successful_call_passes_its_response_through()
    {
        var daemon = new DaemonState(new CrioConfig());
        daemon.MarkReady();
        var interceptor = new CriCallInterceptor(daemon, NullLogger<CriCallInterceptor>.Instance);

        var response = await interceptor.UnaryServerHandler<string, string>(
            "request", new FakeServerCallContext(Method, DateTime.MaxValue, CancellationToken.None),
            (request, _) => Task.FromResult(request + " answered"));

        Assert.Equal("request answered", response);
    }

    private static Task<RpcException> CallFailingWith(Exception error) =>
        CallFailingWith(error, DateTime.MaxValue, CancellationToken.None);

    private static async Task<RpcException> CallFailingWith(Exception error, DateTime deadline, CancellationToken cancellationToken)
    {
        var daemon = new DaemonState(new CrioConfig());
        daemon.MarkReady();
        var interceptor = new CriCallInterceptor(daemon, NullLogger<CriCallInterceptor>.Instance);

        return await Assert.ThrowsAsync<RpcException>(() => interceptor.UnaryServerHandler<string, string>(
            "request", new FakeServerCallContext(Method, deadline, cancellationToken),
            (_, _) => Task.FromException<string>(error)));
    }
}
