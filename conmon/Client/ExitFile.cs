using System.Globalization;

namespace CriO.Conmon.Client;

/// <summary>
/// The exit file conmon writes to EXIT_DIR/ID when the container has exited: the exit code in
/// decimal, 128+N when signal N killed it. Its presence is the "container exited" signal.
/// </summary>
public static class ExitFile
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);

    /// <summary>The container's exit code; null while it runs (no file, or not fully written yet).</summary>
    public static int? ReadExitCode(string exitDirectory, string containerId)
    {
        string text;
        try
        {
            text = File.ReadAllText(MonitorFiles.ExitFile(exitDirectory, containerId));
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (DirectoryNotFoundException)
        {
            return null;
        }

        return int.TryParse(text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var code)
            ? code
            : null;
    }

    /// <summary>
    /// Waits until the exit file is there and returns the exit code; polls, so it works for a
    /// monitor started by an earlier daemon too. Throws <see cref="TimeoutException"/> after
    /// <paramref name="timeout"/>.
    /// </summary>
    public static async Task<int> WaitForExitAsync(
        string exitDirectory,
        string containerId,
        TimeSpan timeout,
        TimeProvider? time = null,
        CancellationToken cancellationToken = default)
    {
        time ??= TimeProvider.System;
        var start = time.GetTimestamp();
        while (true)
        {
            if (ReadExitCode(exitDirectory, containerId) is { } code)
            {
                return code;
            }

            if (time.GetElapsedTime(start) >= timeout)
            {
                throw new TimeoutException($"container {containerId} did not exit within {timeout}");
            }

            await Task.Delay(PollInterval, time, cancellationToken).ConfigureAwait(false);
        }
    }
}
