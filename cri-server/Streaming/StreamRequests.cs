namespace CriO.Server.Streaming;

/// <summary>What an Exec, Attach or PortForward call asked for, kept behind its URL's token.</summary>
public abstract record StreamRequest(string Kind);

public sealed record ExecStreamRequest(string ContainerId, IReadOnlyList<string> Command, bool Tty, bool Stdin, bool Stdout, bool Stderr)
    : StreamRequest("exec");

/// <param name="ControlFifo">The monitor's control FIFO, where a terminal's resizes go.</param>
public sealed record AttachStreamRequest(string ContainerId, bool Tty, bool Stdin, bool Stdout, bool Stderr, string ControlFifo)
    : StreamRequest("attach");

public sealed record PortForwardStreamRequest(string PodId, string NetworkNamespace, IReadOnlyList<int> Ports)
    : StreamRequest("portforward");
