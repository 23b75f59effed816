namespace CriO.Server.Streaming;

/// <summary>What an Exec, Attach or PortForward call asked for, kept behind its URL's token.</summary>
public abstract record StreamRequest(string Kind);

public sealed record ExecStreamRequest(string ContainerId, IReadOnlyList<string> Command, bool Tty, bool Stdin, bool Stdout, bool Stderr)
    : StreamRequest("exec");

/// <param name="ControlFifo">The monitor's control FIFO, where a terminal's resizes go.</param>
/// <param name="StdinOnce">The container was created with stdin_once: the end of the first session's stdin is the container's EOF.</param>
public sealed record AttachStreamRequest(string ContainerId, bool Tty, bool Stdin, bool Stdout, bool Stderr, string ControlFifo, bool StdinOnce)
    : StreamRequest("attach");

public sealed record PortForwardStreamRequest(string PodId, string NetworkNamespace, IReadOnlyList<int> Ports)
    : StreamRequest("portforward");
