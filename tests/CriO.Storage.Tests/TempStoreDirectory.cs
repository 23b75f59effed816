namespace CriO.Storage.Tests;

/// <summary>
/// A temporary folder for a test store. Disposing unmounts whatever is still mounted below it
/// (deepest first, lazily) and removes it, so a failing test leaves no mount behind.
/// </summary>
internal sealed class TempStoreDirectory : IDisposable
{
    public TempStoreDirectory(string prefix = "crio-store-")
    {
        Root = Directory.CreateTempSubdirectory(prefix).FullName;
    }

    public string Root { get; }

    public string Path(params string[] parts) => System.IO.Path.Combine([Root, .. parts]);

    /// <summary>Mount points below <see cref="Root"/>, from /proc/self/mountinfo (field 5).</summary>
    public IReadOnlyList<string> Mounts() =>
        File.ReadAllLines("/proc/self/mountinfo")
            .Select(line => line.Split(' ')[4].Replace("\\040", " ", StringComparison.Ordinal))
            .Where(mountPoint => mountPoint.StartsWith(Root + "/", StringComparison.Ordinal))
            .ToList();

    public void Dispose()
    {
        foreach (var mountPoint in Mounts().OrderByDescending(m => m.Length))
        {
            using var umount = System.Diagnostics.Process.Start("umount", ["-l", mountPoint]);
            umount.WaitForExit();
        }

        Directory.Delete(Root, recursive: true);
    }
}
