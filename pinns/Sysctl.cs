namespace CriO.Pinns;

/// <summary>
/// One --sysctl KEY=VALUE, checked: only sysctls that belong to a namespace pinns makes are
/// accepted, each only with that namespace (setting one from the host's namespaces would change
/// the whole node). The lists are Kubernetes' and runc's namespaced sysctls.
/// </summary>
internal sealed record Sysctl(string Key, string Value, NamespaceKind Namespace)
{
    /// <summary>The ipc namespace's kernel.* sysctls (System V shared memory, messages, semaphores).</summary>
    private static readonly HashSet<string> IpcKernelKeys = new(StringComparer.Ordinal)
    {
        "kernel.shmmax", "kernel.shmall", "kernel.shmmni", "kernel.shm_rmid_forced",
        "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem",
    };

    /// <summary>The file the value is written to: /proc/sys/ and the key with dots as slashes.</summary>
    public string ProcPath => "/proc/sys/" + Key.Replace('.', '/');

    /// <summary>
    /// Parses and checks "KEY=VALUE" against the namespaces asked for (<paramref name="requested"/>).
    /// </summary>
    /// <exception cref="UsageException">A malformed key, an empty value, a sysctl that no pinned
    /// namespace holds, or one whose namespace was not asked for.</exception>
    public static Sysctl Parse(string argument, IReadOnlySet<NamespaceKind> requested)
    {
        var equals = argument.IndexOf('=', StringComparison.Ordinal);
        if (equals < 0)
        {
            throw new UsageException($"--sysctl '{argument}': expected KEY=VALUE");
        }

        var key = argument[..equals];
        var value = argument[(equals + 1)..];
        CheckKey(key);
        if (value.Length == 0)
        {
            throw new UsageException($"--sysctl {key}: empty value");
        }

        var kind = NamespaceOf(key)
            ?? throw new UsageException($"--sysctl {key}: not a namespaced sysctl (allowed: net.*, fs.mqueue.*, kernel.hostname, kernel.domainname, {string.Join(", ", IpcKernelKeys.Order(StringComparer.Ordinal))})");
        if (!requested.Contains(kind))
        {
            throw new UsageException($"--sysctl {key}: belongs to the {kind.Name} namespace, which needs {kind.Option}");
        }

        return new Sysctl(key, value, kind);
    }

    /// <summary>The namespace that holds <paramref name="key"/>, or null when none that pinns makes does.</summary>
    private static NamespaceKind? NamespaceOf(string key)
    {
        if (key.StartsWith("net.", StringComparison.Ordinal))
        {
            return NamespaceKind.Net;
        }

        if (key.StartsWith("fs.mqueue.", StringComparison.Ordinal) || IpcKernelKeys.Contains(key))
        {
            return NamespaceKind.Ipc;
        }

        return key is "kernel.hostname" or "kernel.domainname" ? NamespaceKind.Uts : null;
    }

    /// <summary>
    /// A key is dot-separated parts, none empty, no '/' (the key becomes a path below /proc/sys:
    /// a '/' or '..' could leave it) and nothing but printable ASCII.
    /// </summary>
    private static void CheckKey(string key)
    {
        if (key.Contains('/', StringComparison.Ordinal) || key.Contains("..", StringComparison.Ordinal))
        {
            throw new UsageException($"--sysctl '{key}': a key must not contain '/' or '..'");
        }

        if (key.Split('.').Any(part => part.Length == 0))
        {
            throw new UsageException($"--sysctl '{key}': a key must not have empty parts");
        }

        if (key.Any(c => c is <= ' ' or > '~'))
        {
            throw new UsageException($"--sysctl '{key}': a key must be printable ASCII without spaces");
        }
    }
}
