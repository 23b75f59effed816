using System.Net.Sockets;
using CriO.Conmon.Client;

namespace CriO.Server.Streaming;

/// <summary>
/// Attach over the channel protocol, through the monitor's attach socket (SOCK_SEQPACKET):
/// its packets carry a stream byte (2 stdout, 3 stderr) that becomes channel 1 or 2; what the
/// client sends on channel 0 is written to the socket as the container's stdin, and a resize
/// on channel 4 goes to the monitor's control FIFO (a terminal's size). The session
/// ends when the container's monitor closes the socket (the container exited) or the client goes.
/// </summary>
/// <remarks>
/// When the client has finished its stdin, we shut down our writing side of the socket: the
/// monitor reads that as the attach client's EOF and, for a stdin_once container, closes the
/// container's stdin. For a container with neither stdin_once nor a terminal that also ends the
/// session, as it does on CRI-O: nothing the client can send will reach the container again,
/// and a client waits for the session's end to return (critest's attach does). A stdin_once or
/// terminal session goes on until the output ends, so what the container prints on its way
/// out still reaches the client.
/// </remarks>
internal static class AttachSession
{
    private const byte MonitorStdout = 2;
    private const byte MonitorStderr = 3;

    public static async Task RunAsync(IStreamChannels channels, AttachStreamRequest request, string attachSocket, CancellationToken cancellationToken)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Seqpacket, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(attachSocket), cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException e)
        {
            await ExecSession.SendErrorAsync(channels, $"cannot attach to container {request.ContainerId}: {e.Message}", cancellationToken).ConfigureAwait(false);
            return;
        }

        using var stopReading = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var stdinEnded = new CancellationTokenSource();
        var input = channels.ReceiveAsync(async (channel, data) =>
        {
            if (channel == ExecSession.Stdin && request.Stdin)
            {
                await socket.SendAsync(data, SocketFlags.None, stopReading.Token).ConfigureAwait(false);
            }
            else if (channel == IStreamChannels.CloseSignal && data.Span is [ExecSession.Stdin] && request.Stdin)
            {
                socket.Shutdown(SocketShutdown.Send);
                if (!request.StdinOnce && !request.Tty)
                {
                    CancelQuietly(stdinEnded);
                }
            }
            else if (channel == ExecSession.Resize && request.Tty && TerminalSize.Parse(data.Span) is { } size)
            {
                // The monitor holds the terminal: its control FIFO takes the new size.
                await ControlFifo.ResizeAsync(request.ControlFifo, size.Height, size.Width, stopReading.Token).ConfigureAwait(false);
            }
        }, stopReading.Token);

        // A client that closes the WebSocket ends the session too.
        using var clientGone = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _ = input.ContinueWith(_ => CancelQuietly(clientGone), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        using var outputEnds = CancellationTokenSource.CreateLinkedTokenSource(clientGone.Token, stdinEnded.Token);
        var buffer = new byte[MonitorFiles.AttachPacketSize];
        try
        {
            int read;
            while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, outputEnds.Token).ConfigureAwait(false)) > 0)
            {
                var channel = buffer[0] switch
                {
                    MonitorStdout when request.Stdout => ExecSession.Stdout,
                    MonitorStderr when request.Stderr => ExecSession.Stderr,
                    _ => (byte?)null,
                };
                if (channel is { } number && read > 1)
                {
                    await channels.SendAsync(number, buffer.AsMemory(1, read - 1), cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (SocketException)
        {
            // The monitor has gone with its container: the end of the session, as a close would be.
        }
        catch (OperationCanceledException) when (stdinEnded.IsCancellationRequested && !clientGone.IsCancellationRequested)
        {
            // The client's stdin has ended a session that nothing else would end.
        }
        catch (Exception e) when (e is System.Net.WebSockets.WebSocketException or IOException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            // The client has gone: nobody to tell the end to.
            return;
        }

        if (channels.StatusErrors)
        {
            await channels.SendAsync(ExecSession.Error, StreamStatus.Success(), cancellationToken).ConfigureAwait(false);
        }

        await ExecSession.CloseAsync(channels, input, stopReading, cancellationToken).ConfigureAwait(false);
    }

    internal static void CancelQuietly(CancellationTokenSource source)
    {
        try
        {
            source.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The session has ended already.
        }
    }
}
