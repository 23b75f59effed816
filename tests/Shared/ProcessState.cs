namespace CriO.Tests.Shared;

/// <summary>What /proc says of a process that is not the test's child (so it cannot be waited for).</summary>
internal static class ProcessState
{
    /// <summary>True when the process has ended: gone, or a zombie its parent has not reaped yet.</summary>
    public static bool IsZombie(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].StartsWith('Z');
        }
        catch (IOException)
        {
            return true;
        }
    }
}
