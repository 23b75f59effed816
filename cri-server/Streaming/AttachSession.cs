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
        var input = channels.ReceiveAsync(async (channel, data) =>
        {
            if (channel == ExecSession.Stdin && request.Stdin)
            {
                await socket.SendAsync(data, SocketFlags.None, stopReading.Token).ConfigureAwait(false);
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
        var buffer = new byte[MonitorFiles.AttachPacketSize];
        try
        {
            int read;
            while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, clientGone.Token).ConfigureAwait(false)) > 0)
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
