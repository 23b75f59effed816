using CriO.Oci.Runtime;
using CriO.Oci.Spec;

namespace CriO.Oci.Tests.Runtime;

/// <summary>
/// A bundle in a temp folder whose rootfs is Debian's static busybox, a private runtime state
/// folder (<c>--root</c>) and a unique cgroup. Disposing force-deletes the container and removes
/// the cgroup from every hierarchy and the folder, whatever state the test left.
/// </summary>
internal sealed class TestBundle : IAsyncDisposable
{
    public const string CgroupPrefix = "crio-oci-test-";

    private TestBundle(string runtimeName)
    {
        var random = Guid.NewGuid().ToString("N")[..12];
        Folder = Directory.CreateTempSubdirectory("crio-oci-test-").FullName;
        Bundle = Path.Combine(Folder, "bundle");
        Rootfs = Path.Combine(Bundle, "rootfs");
        PidFile = Path.Combine(Folder, "pid");
        Id = $"t-{random}";
        CgroupName = CgroupPrefix + random;
        Runtime = new OciRuntime(ResolveBinary(runtimeName), Path.Combine(Folder, "state"), TimeSpan.FromSeconds(30));
    }

    public string Folder { get; }

    public string Bundle { get; }

    public string Rootfs { get; }

    public string PidFile { get; }

    public string Id { get; }

    public string CgroupName { get; }

    public OciRuntime Runtime { get; }

    public static TestBundle Create(string runtimeName)
    {
        var bundle = new TestBundle(runtimeName);
        var bin = Path.Combine(bundle.Rootfs, "bin");
        Directory.CreateDirectory(bin);
        File.Copy("/bin/busybox", Path.Combine(bin, "busybox"));
        File.CreateSymbolicLink(Path.Combine(bin, "sh"), "busybox");
        foreach (var dir in new[] { "tmp", "proc", "dev", "sys" })
        {
            Directory.CreateDirectory(Path.Combine(bundle.Rootfs, dir));
        }

        return bundle;
    }

    /// <summary>The defaults with <c>busybox sh -c script</c>, a writable root and our cgroup.</summary>
    public RuntimeSpec Spec(string script)
    {
        var spec = RuntimeSpecDefaults.Create(["/bin/busybox", "sh", "-c", script]);
        spec.Root!.Readonly = false;
        spec.Linux!.CgroupsPath = "/" + CgroupName;
        return spec;
    }

    public Task WriteAsync(RuntimeSpec spec) => OciJson.WriteConfigAsync(Bundle, spec, CancellationToken.None);

    /// <summary>The cgroup folders of this bundle that exist now, in every hierarchy.</summary>
    public IEnumerable<string> CgroupFolders() =>
        Directory.EnumerateDirectories("/sys/fs/cgroup")
            .Select(h => Path.Combine(h, CgroupName))
            .Where(Directory.Exists);

    public async ValueTask DisposeAsync()
    {
        using var cleanup = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await Runtime.DeleteAsync(Id, force: true, cleanup.Token);
        }
        catch (Exception e) when (e is OciRuntimeException or OperationCanceledException)
        {
            // Keep cleaning; the cgroup and folder removal below still run.
        }

        foreach (var cgroup in CgroupFolders().ToList())
        {
            for (var attempt = 0; attempt < 20 && Directory.Exists(cgroup); attempt++)
            {
                try
                {
                    Directory.Delete(cgroup); // rmdir: a cgroup's control files do not count.
                }
                catch (IOException)
                {
                    await Task.Delay(100, CancellationToken.None);
                }
            }
        }

        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // A tmpfs the runtime left mounted; the OS temp cleaner gets it.
        }
    }

    private static string ResolveBinary(string name) =>
        new[] { "/usr/sbin", "/usr/bin", "/sbin", "/bin", "/usr/local/bin", "/usr/local/sbin" }
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException($"{name} is not installed (apt-get install -y {name})");
}
