using System.Globalization;
using System.Runtime.Versioning;
using System.Text;
using CriO.Conmon.Client.Interop;

namespace CriO.Conmon.Client;

/// <summary>
/// Messages to a running monitor through its control FIFO (BUNDLE/ctl): one line
/// "TYPE HEIGHT WIDTH\n", type 1 resizes the terminal, type 2 reopens the log file (after the
/// kubelet rotated it). Writing never blocks: a FIFO no monitor reads fails at once.
/// </summary>
[SupportedOSPlatform("linux")]
public static class ControlFifo
{
    private const int ResizeEvent = 1;
    private const int ReopenLogsEvent = 2;

    /// <summary>Asks conmon to close and reopen its log file (CRI ReopenContainerLog).</summary>
    public static Task ReopenLogAsync(string controlFifo, CancellationToken cancellationToken = default) =>
        SendAsync(controlFifo, ReopenLogsEvent, 0, 0, cancellationToken);

    /// <summary>Asks conmon to resize the container's terminal.</summary>
    public static Task ResizeAsync(string controlFifo, ushort height, ushort width, CancellationToken cancellationToken = default) =>
        SendAsync(controlFifo, ResizeEvent, height, width, cancellationToken);

    private static Task SendAsync(string controlFifo, int type, int height, int width, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var line = string.Create(CultureInfo.InvariantCulture, $"{type} {height} {width}\n");
        using var fd = PipeCalls.OpenFifoForWriting(controlFifo);

        // One line is far below PIPE_BUF, so the write is atomic and does not block.
        PipeCalls.WriteAll(fd, Encoding.ASCII.GetBytes(line), controlFifo);
        return Task.CompletedTask;
    }
}
