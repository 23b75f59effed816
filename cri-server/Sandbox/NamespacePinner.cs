using System.Diagnostics;
using System.Text.Json;
using CriO.Storage.Interop;

namespace CriO.Server.Sandbox;

/// <summary>
/// Pins a pod's namespaces as bind mounts under namespaces_dir (netns/, ipcns/, utsns/) through
/// crio-pinns, a small helper process: namespaces are per thread and the daemon's threads must
/// stay in the node's, so they are made in a process of their own rather than by forking the
/// daemon. The same helper starts the pause process where the pod has its own PID namespace.
/// </summary>
public sealed class NamespacePinner(string pinnsPath, string namespacesDirectory, TimeSpan timeout)
{
    public const string PinnsBinary = "crio-pinns";
    public const string PauseBinary = "crio-pause";

    public string NamespacesDirectory { get; } = namespacesDirectory;

    /// <summary>The empty folder pause processes chroot into (made by the pinner).</summary>
    public string PauseRoot => Path.Combine(NamespacesDirectory, "crio-pause-root");

    /// <summary>The pause binary ships with the pinner: beside it.</summary>
    public string PausePath { get; } = Path.Combine(Path.GetDirectoryName(pinnsPath) ?? "/", PauseBinary);

    public async Task<PinnedNamespaces> PinAsync(string podId, bool net, bool ipc, bool uts, string hostname,
        IEnumerable<KeyValuePair<string, string>> sysctls, string? pausePath, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sysctls);
        var start = new ProcessStartInfo(pinnsPath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        start.ArgumentList.Add("--dir");
        start.ArgumentList.Add(NamespacesDirectory);
        start.ArgumentList.Add("--file");
        start.ArgumentList.Add(podId);
        if (net)
        {
            start.ArgumentList.Add("--net");
        }

        if (ipc)
        {
            start.ArgumentList.Add("--ipc");
        }

        if (uts)
        {
            start.ArgumentList.Add("--uts");
            start.ArgumentList.Add("--hostname");
            start.ArgumentList.Add(hostname);
        }

        foreach (var (key, value) in sysctls)
        {
            start.ArgumentList.Add("--sysctl");
            start.ArgumentList.Add($"{key.Replace('/', '.')}={value}");
        }

        if (pausePath is not null)
        {
            start.ArgumentList.Add("--pause");
            start.ArgumentList.Add(pausePath);
            start.ArgumentList.Add("--pause-root");
            start.ArgumentList.Add(PauseRoot);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{pinnsPath} did not start");
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bound.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(bound.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // A pinner cut off midway may have pinned some namespaces: the caller's undo of this
            // step unpins by name, which covers them.
            process.Kill();
            throw new TimeoutException($"{PinnsBinary} did not finish within {timeout.TotalSeconds} s");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"pinning namespaces failed: {(await error.ConfigureAwait(false)).Trim()}");
        }

        using var result = JsonDocument.Parse(await output.ConfigureAwait(false));
        var root = result.RootElement;
        return new PinnedNamespaces(
            Text(root, "net"), Text(root, "ipc"), Text(root, "uts"),
            root.TryGetProperty("pausePid", out var pid) ? pid.GetInt32() : 0);
    }

    /// <summary>Unmounts and deletes a pod's pinned namespace files; those already gone are fine.</summary>
    public void Unpin(string podId)
    {
        foreach (var kind in new[] { "netns", "ipcns", "utsns" })
        {
            var file = Path.Combine(NamespacesDirectory, kind, podId);
            if (!File.Exists(file))
            {
                continue;
            }

            MountCalls.Unmount(file, MountCalls.MntDetach);
            File.Delete(file);
        }
    }

    /// <summary>Whether a pinned namespace file still holds a namespace (it is a mount point of nsfs).</summary>
    public static bool IsPinned(string file)
    {
        if (file.Length == 0 || !File.Exists(file))
        {
            return false;
        }

        var escaped = file.Replace(" ", "\\040", StringComparison.Ordinal);
        return File.ReadLines("/proc/self/mountinfo").Any(line => line.Split(' ') is { Length: > 4 } f && f[4] == escaped);
    }

    public static string Locate(string configured, string binary) =>
        configured.Length > 0 ? configured : Path.Combine(AppContext.BaseDirectory, binary);

    private static string Text(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) ? value.GetString() ?? "" : "";
}
