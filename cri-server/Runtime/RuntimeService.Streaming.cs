using CriO.Cri;
using CriO.Server.Errors;
using CriO.Server.Streaming;
using Grpc.Core;

namespace CriO.Server.Runtime;

public sealed partial class RuntimeService
{
    public override Task<ExecResponse> Exec(ExecRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        RequireContainerId(request.ContainerId);
        if (request.Cmd.Count == 0)
        {
            throw new InvalidArgumentException("cmd: missing");
        }

        RequireStreams(request.Stdin, request.Stdout, request.Stderr, request.Tty);
        var container = _containers.GetRunning(request.ContainerId, "nothing to exec in");
        var url = _streaming.Register(new ExecStreamRequest(container.Id, [.. request.Cmd], request.Tty, request.Stdin, request.Stdout, request.Stderr));
        return Task.FromResult(new ExecResponse { Url = url });
    }

    public override Task<AttachResponse> Attach(AttachRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        RequireContainerId(request.ContainerId);
        RequireStreams(request.Stdin, request.Stdout, request.Stderr, request.Tty);
        var container = _containers.GetRunning(request.ContainerId, "nothing to attach to");
        if (request.Tty != container.Config.Tty)
        {
            throw new InvalidArgumentException($"tty: {request.Tty} does not match the container's tty setting ({container.Config.Tty})");
        }

        if (request.Stdin && !container.Config.Stdin)
        {
            throw new InvalidArgumentException("stdin: the container was created without stdin");
        }

        var url = _streaming.Register(new AttachStreamRequest(container.Id, request.Tty, request.Stdin, request.Stdout, request.Stderr,
            CriO.Conmon.Client.MonitorFiles.ControlFifo(container.Record.Bundle), container.Config.StdinOnce));
        return Task.FromResult(new AttachResponse { Url = url });
    }

    public override Task<PortForwardResponse> PortForward(PortForwardRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        RequireId(request.PodSandboxId);
        var bad = request.Port.FirstOrDefault(p => p is <= 0 or > 65535);
        if (bad != 0)
        {
            throw new InvalidArgumentException($"port: {bad} is not a TCP port");
        }

        var pod = _sandboxes.Store.Get(request.PodSandboxId);
        if (!pod.IsReady)
        {
            throw new FailedPreconditionException($"pod sandbox {pod.Id} is not ready: nothing to forward to");
        }

        var url = _streaming.Register(new PortForwardStreamRequest(pod.Id, pod.Record.NetNamespace, [.. request.Port]));
        return Task.FromResult(new PortForwardResponse { Url = url });
    }

    // What the kubelet checks before it asks: some stream, and no stderr beside a terminal.
    private static void RequireStreams(bool stdin, bool stdout, bool stderr, bool tty)
    {
        if (!stdin && !stdout && !stderr)
        {
            throw new InvalidArgumentException("one of stdin, stdout or stderr must be set");
        }

        if (tty && stderr)
        {
            throw new InvalidArgumentException("stderr: a terminal merges stderr into stdout; ask for stdout only when tty is set");
        }
    }
}
