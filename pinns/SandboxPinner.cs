using CriO.Pinns.Interop;

namespace CriO.Pinns;

/// <summary>
/// <c>crio-pinns --dir DIR --file NAME [--net] [--ipc] [--uts] ...</c>: makes a pod's namespaces
/// and keeps them alive without a process, as bind mounts of /proc/thread-self/ns/X on
/// DIR/Xns/NAME (the layout of CRI-O's pinns), then optionally starts the pod's pause process.
/// </summary>
/// <remarks>
/// <para>
/// Namespaces belong to a thread, not a process, and the runtime has threads of its own; so
/// every step runs on the thread that called <see cref="Run"/> (the main thread, synchronously)
/// and names that thread's namespaces through /proc/thread-self, never /proc/self. A sysctl
/// lands in the namespace of the task that writes it, so the writes happen here too.
/// </para>
/// <para>
/// Steps: unshare the asked namespaces; set the host name; bring <c>lo</c> up in a new network
/// namespace (one ioctl; the CNI loopback plugin doing it again is harmless); write the
/// sysctls; pin net, ipc, uts in that order; start the pause (<see cref="PauseLauncher"/>).
/// When a step fails, the pins and the pause made so far are undone, last first. The first
/// four steps need no undo: they only touch the new namespaces, and nothing holds those until
/// they are pinned, so they vanish when pinns exits.
/// </para>
/// </remarks>
internal sealed class SandboxPinner(CommandLine request)
{
    /// <summary>
    /// Does the work and writes the answer (one JSON line) to <paramref name="output"/>; the
    /// work is kept only once the answer is written, so a daemon that is gone gets no leak.
    /// </summary>
    public void Run(TextWriter output)
    {
        var undo = new UndoStack();
        try
        {
            var flags = request.Namespaces.Aggregate(0, (all, kind) => all | kind.CloneFlag);
            if (flags != 0)
            {
                NamespaceCalls.Unshare(flags);
            }

            if (request.HostName is { } hostName)
            {
                NamespaceCalls.SetHostName(hostName);
            }

            if (request.Namespaces.Contains(NamespaceKind.Net))
            {
                NamespaceCalls.BringLoopbackUp();
            }

            foreach (var sysctl in request.Sysctls)
            {
                NamespaceCalls.WriteExisting(sysctl.ProcPath, sysctl.Value);
            }

            var pins = new List<(NamespaceKind, string)>();
            foreach (var kind in NamespaceKind.All.Where(request.Namespaces.Contains))
            {
                pins.Add((kind, Pin(kind, undo)));
            }

            int? pausePid = request.PausePath is { } pausePath ? PauseLauncher.Start(pausePath, PauseRoot(request.PauseRoot), undo) : null;
            output.Write(new PinResult(pins, pausePid).ToJson() + "\n");
            output.Flush();
            undo.Commit();
        }
        catch
        {
            undo.Rollback(Console.Error);
            throw;
        }
    }

    /// <summary>Pins the calling thread's namespace of <paramref name="kind"/>; the pin's path.</summary>
    private string Pin(NamespaceKind kind, UndoStack undo)
    {
        PinFolder.Prepare(Path.Join(request.Directory, kind.Folder));
        var pin = kind.PinPath(request.Directory, request.File);
        NamespaceCalls.CreateExclusive(pin);
        undo.Push($"remove {pin}", () => PinRemover.RemovePin(pin));
        NamespaceCalls.BindMount(kind.ThreadNamespacePath, pin);
        return pin;
    }

    // The empty folder the pause process chroots into, made (root-only, read-only) if missing:
    // the pause then holds no view of the node's files.
    private static string? PauseRoot(string? root)
    {
        if (root is not null)
        {
            Directory.CreateDirectory(root, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        }

        return root;
    }
}
