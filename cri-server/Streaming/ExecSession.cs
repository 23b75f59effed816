using System.Text;
using CriO.Server.Containers;

namespace CriO.Server.Streaming;

/// <summary>
/// A streaming exec over the channel protocol: channel 0 is the command's stdin, 1 its stdout,
/// 2 its stderr, 3 the error channel (the Status at the end), 4 resize (terminals only). The
/// session ends when the command has exited and its output is sent; a client that goes away
/// first takes the command with it.
/// </summary>
internal static class ExecSession
{
    public const byte Stdin = 0;
    public const byte Stdout = 1;
    public const byte Stderr = 2;
    public const byte Error = 3;
    public const byte Resize = 4;

    public static async Task RunAsync(IStreamChannels channels, ExecStreamRequest request, ContainerManager containers, CancellationToken cancellationToken)
    {
        StreamingExec exec;
        try
        {
            exec = await containers.StartExecAsync(request.ContainerId, request.Command, request.Tty, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is Errors.CriException or IOException or InvalidOperationException)
        {
            await SendErrorAsync(channels, e.Message, cancellationToken).ConfigureAwait(false);
            return;
        }

        using (exec)
        {
            if (!request.Stdin && !exec.IsTerminal)
            {
                exec.Stdin.Close();
            }

            var stdout = exec.IsTerminal
                ? PumpTerminalAsync(exec.Stdout, channels, cancellationToken)
                : PumpAsync(exec.Stdout, request.Stdout ? Stdout : null, channels, cancellationToken);
            var stderr = exec.Stderr is { } errors ? PumpAsync(errors, request.Stderr ? Stderr : null, channels, cancellationToken) : Task.CompletedTask;
            using var clientGone = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var input = ForwardInputAsync(channels, request.Stdin || exec.IsTerminal ? exec.Stdin : null, exec, clientGone.Token);

            var exited = exec.WaitForExitAsync(cancellationToken);
            if (await Task.WhenAny(exited, input).ConfigureAwait(false) == input && !exec.HasExited && input.Result)
            {
                // The client closed the WebSocket: nobody reads the command's output any more.
                return;
            }

            var exitCode = await exited.ConfigureAwait(false);

            // A terminal reads EIO once nothing holds its other side; a process the command left
            // behind may keep it open, so its output is waited for only boundedly.
            await Task.WhenAny(Task.WhenAll(stdout, stderr), Task.Delay(CloseGrace, cancellationToken)).ConfigureAwait(false);
            var status = exitCode == 0
                ? (channels.StatusErrors ? StreamStatus.Success() : [])
                : (channels.StatusErrors ? StreamStatus.NonZeroExit(request.Command, exitCode) : Encoding.UTF8.GetBytes($"command terminated with exit code {exitCode}"));
            if (status.Length > 0)
            {
                await channels.SendAsync(Error, status, cancellationToken).ConfigureAwait(false);
            }

            await CloseAsync(channels, input, clientGone, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Closes our side, waits (boundedly) for the client's close, then stops reading.</summary>
    internal static async Task CloseAsync(IStreamChannels channels, Task input, CancellationTokenSource stopReading, CancellationToken cancellationToken)
    {
        await channels.CloseAsync(cancellationToken).ConfigureAwait(false);
        await Task.WhenAny(input, Task.Delay(CloseGrace, cancellationToken)).ConfigureAwait(false);
        await stopReading.CancelAsync().ConfigureAwait(false);
    }

    private static readonly TimeSpan CloseGrace = TimeSpan.FromSeconds(5);
    private static readonly byte[] EndOfTransmission = [4];

    public static Task SendErrorAsync(IStreamChannels channels, string message, CancellationToken cancellationToken) =>
        SendThenCloseAsync(channels, channels.StatusErrors ? StreamStatus.Failure(message) : Encoding.UTF8.GetBytes(message), cancellationToken);

    private static async Task SendThenCloseAsync(IStreamChannels channels, byte[] status, CancellationToken cancellationToken)
    {
        await channels.SendAsync(Error, status, cancellationToken).ConfigureAwait(false);
        await channels.CloseAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Copies a terminal's output to stdout's channel until the terminal reads EIO (nothing holds its other side).</summary>
    private static async Task PumpTerminalAsync(Stream terminal, IStreamChannels channels, CancellationToken cancellationToken)
    {
        try
        {
            await PumpAsync(terminal, Stdout, channels, cancellationToken).ConfigureAwait(false);
        }
        catch (IOException)
        {
            // EIO: the end of a terminal's output.
        }
    }

    /// <summary>Copies a stream to a channel (or drops it when the client did not ask for it).</summary>
    internal static async Task PumpAsync(Stream source, byte? channel, IStreamChannels channels, CancellationToken cancellationToken)
    {
        var buffer = new byte[32 * 1024];
        try
        {
            int read;
            while ((read = await source.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                if (channel is { } number)
                {
                    await channels.SendAsync(number, buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or IOException or System.Net.WebSockets.WebSocketException)
        {
            // The session ended under the pump (the client left, the command was killed): nothing
            // is left to copy, and nobody waits for this task any more.
        }
    }

    /// <summary>
    /// Copies the client's stdin channel to <paramref name="stdin"/> until the client closes the
    /// WebSocket (true) or the session ends (false); v5's close signal for channel 0, or the end
    /// of the client's messages, closes stdin (the command reads EOF).
    /// </summary>
    private static async Task<bool> ForwardInputAsync(IStreamChannels channels, Stream? stdin, StreamingExec exec, CancellationToken cancellationToken)
    {
        try
        {
            await channels.ReceiveAsync(async (channel, data) =>
            {
                if (channel == Resize && TerminalSize.Parse(data.Span) is { } size)
                {
                    exec.Resize(size.Height, size.Width);
                }
                else if (channel == Stdin && stdin is not null)
                {
                    await stdin.WriteAsync(data, cancellationToken).ConfigureAwait(false);
                    await stdin.FlushAsync(cancellationToken).ConfigureAwait(false);
                }
                else if (channel == IStreamChannels.CloseSignal && data.Length > 0 && data.Span[0] == Stdin && stdin is not null)
                {
                    if (exec.IsTerminal)
                    {
                        // A terminal's end of input is the EOF character (^D), not a closed master.
                        await stdin.WriteAsync(EndOfTransmission, cancellationToken).ConfigureAwait(false);
                    }
                    else
                    {
                        stdin.Close();
                        stdin = null;
                    }
                }
            }, cancellationToken).ConfigureAwait(false);
            if (!exec.IsTerminal)
            {
                stdin?.Close();
            }

            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            // The command closed its stdin (or exited): what the client still sends goes nowhere.
            return false;
        }
    }
}
