using System.Text;

namespace CriO.Pinns;

/// <summary>
/// The command line the daemon runs, exactly (README.md):
/// <code>
/// crio-pinns --dir DIR --file NAME [--net] [--ipc] [--uts] [--hostname HOST] [--sysctl KEY=VALUE]... [--pause PATH [--pause-root DIR]]
/// crio-pinns --remove --dir DIR --file NAME
/// </code>
/// Anything else is a <see cref="UsageException"/> (exit code 2) before anything is done.
/// </summary>
internal sealed record CommandLine(
    bool Remove,
    string Directory,
    string File,
    IReadOnlySet<NamespaceKind> Namespaces,
    string? HostName,
    IReadOnlyList<Sysctl> Sysctls,
    string? PausePath,
    string? PauseRoot = null)
{
    public const string Usage =
        "usage: crio-pinns --dir DIR --file NAME [--net] [--ipc] [--uts] [--hostname HOST] [--sysctl KEY=VALUE]... [--pause PATH [--pause-root DIR]]\n" +
        "       crio-pinns --remove --dir DIR --file NAME";

    /// <summary>HOST_NAME_MAX on Linux.</summary>
    private const int HostNameMaxBytes = 64;

    public static CommandLine Parse(IReadOnlyList<string> args)
    {
        var remove = false;
        string? directory = null, file = null, hostName = null, pausePath = null, pauseRoot = null;
        var namespaces = new HashSet<NamespaceKind>();
        var sysctls = new List<string>();
        for (var i = 0; i < args.Count; i++)
        {
            var option = args[i];
            switch (option)
            {
                case "--remove":
                    remove = true;
                    break;
                case "--net":
                    namespaces.Add(NamespaceKind.Net);
                    break;
                case "--ipc":
                    namespaces.Add(NamespaceKind.Ipc);
                    break;
                case "--uts":
                    namespaces.Add(NamespaceKind.Uts);
                    break;
                case "--dir":
                    directory = Once(option, directory, Value(args, ref i));
                    break;
                case "--file":
                    file = Once(option, file, Value(args, ref i));
                    break;
                case "--hostname":
                    hostName = Once(option, hostName, Value(args, ref i));
                    break;
                case "--pause":
                    pausePath = Once(option, pausePath, Value(args, ref i));
                    break;
                case "--pause-root":
                    pauseRoot = Once(option, pauseRoot, Value(args, ref i));
                    break;
                case "--sysctl":
                    sysctls.Add(Value(args, ref i));
                    break;
                default:
                    throw new UsageException(option.StartsWith('-') ? $"unknown option '{option}'" : $"unexpected argument '{option}'");
            }
        }

        CheckDirectory(directory);
        CheckFile(file);
        if (remove)
        {
            if (namespaces.Count > 0 || hostName is not null || pausePath is not null || pauseRoot is not null || sysctls.Count > 0)
            {
                throw new UsageException("--remove takes only --dir and --file");
            }

            return new CommandLine(true, directory, file, namespaces, null, [], null);
        }

        if (namespaces.Count == 0 && pausePath is null)
        {
            throw new UsageException("nothing to do: give at least one of --net, --ipc, --uts, --pause");
        }

        if (hostName is not null)
        {
            CheckHostName(hostName, namespaces);
        }

        // An empty --hostname keeps the new UTS namespace's copy of the node's name.
        hostName = hostName is { Length: 0 } ? null : hostName;

        if (pausePath is { Length: 0 })
        {
            throw new UsageException("--pause: empty path");
        }

        if (pauseRoot is not null && (pausePath is null || !pauseRoot.StartsWith('/')))
        {
            throw new UsageException("--pause-root needs --pause and an absolute folder");
        }

        var checkedSysctls = sysctls.Select(s => Sysctl.Parse(s, namespaces)).ToList();
        return new CommandLine(false, directory, file, namespaces, hostName, checkedSysctls, pausePath, pauseRoot);
    }

    private static string Value(IReadOnlyList<string> args, ref int i)
    {
        if (i + 1 >= args.Count)
        {
            throw new UsageException($"{args[i]} needs a value");
        }

        return args[++i];
    }

    private static string Once(string option, string? previous, string value) =>
        previous is null ? value : throw new UsageException($"{option} given twice");

    private static void CheckDirectory([System.Diagnostics.CodeAnalysis.NotNull] string? directory)
    {
        if (directory is null)
        {
            throw new UsageException("--dir is required");
        }

        if (!directory.StartsWith('/') || directory.Contains('\0', StringComparison.Ordinal))
        {
            throw new UsageException($"--dir '{directory}': an absolute path is required");
        }
    }

    /// <summary>NAME becomes one path component in each pin folder.</summary>
    private static void CheckFile([System.Diagnostics.CodeAnalysis.NotNull] string? file)
    {
        if (file is null)
        {
            throw new UsageException("--file is required");
        }

        if (file.Length == 0 || file is "." or ".." || file.Contains('/', StringComparison.Ordinal) || file.Contains('\0', StringComparison.Ordinal))
        {
            throw new UsageException($"--file '{file}': a file name is required (not empty, '.', '..', no '/')");
        }
    }

    private static void CheckHostName(string hostName, HashSet<NamespaceKind> namespaces)
    {
        if (!namespaces.Contains(NamespaceKind.Uts))
        {
            throw new UsageException("--hostname needs --uts");
        }

        if (Encoding.UTF8.GetByteCount(hostName) > HostNameMaxBytes || hostName.Contains('\0', StringComparison.Ordinal))
        {
            throw new UsageException($"--hostname '{hostName}': at most {HostNameMaxBytes} bytes");
        }
    }
}
