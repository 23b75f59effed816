using System.Globalization;
using CriO.Server.Interop;

namespace CriO.Server.Sandbox;

/// <summary>
/// The pause process of a pod with its own PID namespace. It is not our child (the pinner
/// started it and exited), so it is known by PID plus start time: a PID that the kernel has
/// given to another process since is never signalled.
/// </summary>
public static class PauseProcess
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(10);

    /// <summary>Start time of a live (not zombie) process in clock ticks since boot, or null when it is gone.</summary>
    public static ulong? StartTime(int pid)
    {
        string stat;
        try
        {
            stat = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or IOException)
        {
            return null;
        }

        // "pid (comm) state ..."; comm may hold spaces and parentheses, so split after the last ')'.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        if (fields[0] is "Z" or "X")
        {
            return null;
        }

        // Field 22 of the whole line is the 20th after comm.
        return ulong.Parse(fields[19], CultureInfo.InvariantCulture);
    }

    public static bool IsAlive(int pid, ulong startTime) => pid > 0 && StartTime(pid) == startTime;

    /// <summary>SIGTERM, then SIGKILL after <paramref name="grace"/>; returns once the process is gone.</summary>
    public static async Task TerminateAsync(int pid, ulong startTime, TimeSpan grace, CancellationToken cancellationToken)
    {
        if (!IsAlive(pid, startTime))
        {
            return;
        }

        ProcessSignals.Send(pid, ProcessSignals.Terminate);
        if (await WaitGoneAsync(pid, startTime, grace, cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        ProcessSignals.Send(pid, ProcessSignals.Kill);
        if (!await WaitGoneAsync(pid, startTime, TimeSpan.FromSeconds(10), cancellationToken).ConfigureAwait(false))
        {
            throw new IOException($"pause process {pid} did not exit after SIGKILL");
        }
    }

    private static async Task<bool> WaitGoneAsync(int pid, ulong startTime, TimeSpan bound, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + bound;
        while (IsAlive(pid, startTime))
        {
            if (DateTime.UtcNow >= deadline)
            {
                return false;
            }

            await Task.Delay(PollInterval, cancellationToken).ConfigureAwait(false);
        }

        return true;
    }
}
