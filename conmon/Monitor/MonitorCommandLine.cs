using System.Globalization;

namespace CriO.Conmon.Monitor;

/// <summary>
/// The options of upstream conmon 2.x (src/cli.c) that CRI-O and podman pass, in both spellings
/// (<c>--name value</c>, <c>--name=value</c>, and <c>-n value</c> for those with a short form).
/// An option this monitor does not know, or knows but cannot honour, is refused with a
/// message rather than ignored.
/// </summary>
internal sealed class MonitorCommandLine
{
    public string ContainerId { get; private set; } = "";
    public string Name { get; private set; } = "";
    public string Uuid { get; private set; } = "";
    public string RuntimePath { get; private set; } = "";
    public string BundlePath { get; private set; } = "";
    public string ContainerPidFile { get; private set; } = "";
    public string ConmonPidFile { get; private set; } = "";
    public string LogPath { get; private set; } = "";
    public string ExitDirectory { get; private set; } = "";
    public string PersistDirectory { get; private set; } = "";
    public string SocketDirectory { get; private set; } = "";
    public long LogSizeMax { get; private set; } = -1;
    public bool Terminal { get; private set; }
    public bool Stdin { get; private set; }
    public bool LeaveStdinOpen { get; private set; }
    public bool FullAttach { get; private set; }
    public bool NoPivot { get; private set; }
    public bool NoSyncLog { get; private set; }
    public bool SystemdCgroup { get; private set; }
    public bool Version { get; private set; }

    /// <summary>Exec mode: run a process in a running container (ExecSync) instead of creating one.</summary>
    public bool Exec { get; private set; }
    public string ExecProcessSpec { get; private set; } = "";

    /// <summary>Exec mode: seconds after which the process is killed (0: none).</summary>
    public int TimeoutSeconds { get; private set; }

    /// <summary>Exec mode: exit with the process's exit code (upstream's --sync).</summary>
    public bool Sync { get; private set; }
    public string ExitCommand { get; private set; } = "";
    public List<string> ExitCommandArguments { get; } = [];
    public int ExitDelaySeconds { get; private set; }
    public List<string> RuntimeArguments { get; } = [];
    public List<string> RuntimeOptions { get; } = [];

    private static readonly Dictionary<char, string> ShortNames = new()
    {
        ['b'] = "bundle", ['c'] = "cid", ['i'] = "stdin", ['l'] = "log-path", ['n'] = "name", ['P'] = "conmon-pidfile",
        ['p'] = "container-pidfile", ['r'] = "runtime", ['s'] = "systemd-cgroup", ['t'] = "terminal", ['u'] = "cuuid",
        ['e'] = "exec", ['T'] = "timeout",
    };

    // Options upstream has that this monitor accepts and has nothing to do for.
    private static readonly HashSet<string> IgnoredFlags = ["syslog", "no-new-keyring"];
    private static readonly HashSet<string> IgnoredValues = ["log-level", "log-tag", "api-version"];

    /// <summary>Parses <paramref name="args"/>; throws <see cref="UsageException"/> naming what is wrong.</summary>
    public static MonitorCommandLine Parse(IReadOnlyList<string> args)
    {
        var line = new MonitorCommandLine();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            string name;
            string? inline = null;
            if (arg.StartsWith("--", StringComparison.Ordinal))
            {
                name = arg[2..];
                var equals = name.IndexOf('=', StringComparison.Ordinal);
                if (equals >= 0)
                {
                    inline = name[(equals + 1)..];
                    name = name[..equals];
                }
            }
            else if (arg.Length >= 2 && arg[0] == '-' && ShortNames.TryGetValue(arg[1], out var longName))
            {
                name = longName;
                inline = arg.Length > 2 ? arg[2..] : null;
            }
            else
            {
                throw new UsageException($"unexpected argument '{arg}'");
            }

            string Value()
            {
                if (inline is not null)
                {
                    return inline;
                }

                return ++i < args.Count ? args[i] : throw new UsageException($"option --{name} needs a value");
            }

            line.Apply(name, Value, inline is not null);
        }

        line.Check();
        return line;
    }

    private void Apply(string name, Func<string> value, bool hasInlineValue)
    {
        switch (name)
        {
            case "cid": ContainerId = value(); break;
            case "name": Name = value(); break;
            case "cuuid": Uuid = value(); break;
            case "runtime": RuntimePath = value(); break;
            case "bundle": BundlePath = value(); break;
            case "container-pidfile": ContainerPidFile = value(); break;
            case "conmon-pidfile": ConmonPidFile = value(); break;
            case "log-path": LogPath = LogDriverPath(value()); break;
            case "exit-dir": ExitDirectory = value(); break;
            case "persist-dir": PersistDirectory = value(); break;
            case "socket-dir-path": SocketDirectory = value(); break;
            case "log-size-max": LogSizeMax = Number(name, value()); break;
            case "exit-command": ExitCommand = value(); break;
            case "exit-command-arg": ExitCommandArguments.Add(value()); break;
            case "exit-delay": ExitDelaySeconds = (int)Number(name, value()); break;
            case "runtime-arg": RuntimeArguments.Add(value()); break;
            case "runtime-opt": RuntimeOptions.Add(value()); break;
            case "terminal": Terminal = Flag(name, hasInlineValue); break;
            case "stdin": Stdin = Flag(name, hasInlineValue); break;
            case "leave-stdin-open": LeaveStdinOpen = Flag(name, hasInlineValue); break;
            case "full-attach": FullAttach = Flag(name, hasInlineValue); break;
            case "no-pivot": NoPivot = Flag(name, hasInlineValue); break;
            case "no-sync-log": NoSyncLog = Flag(name, hasInlineValue); break;
            case "systemd-cgroup": SystemdCgroup = Flag(name, hasInlineValue); break;
            case "version": Version = Flag(name, hasInlineValue); break;
            case "exec": Exec = Flag(name, hasInlineValue); break;
            case "exec-process-spec": ExecProcessSpec = value(); break;
            case "timeout": TimeoutSeconds = (int)Number(name, value()); break;
            case "sync": Sync = Flag(name, hasInlineValue); break;
            case "exec-attach" or "restore" or "restore-arg":
                throw new UsageException($"option --{name} is not supported by crio-conmon yet (streaming exec and checkpoint modes)");
            case var ignored when IgnoredFlags.Contains(ignored): Flag(name, hasInlineValue); break;
            case var ignored when IgnoredValues.Contains(ignored): value(); break;
            default: throw new UsageException($"unknown option --{name}");
        }
    }

    private static bool Flag(string name, bool hasInlineValue) =>
        hasInlineValue ? throw new UsageException($"option --{name} takes no value") : true;

    private static long Number(string name, string text) =>
        long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number)
            ? number
            : throw new UsageException($"option --{name}: \"{text}\" is not a number");

    // conmon's -l is DRIVER:PATH (k8s-file, journald, passthrough, none) or a bare path (k8s-file).
    private static string LogDriverPath(string value)
    {
        var colon = value.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
        {
            return value;
        }

        var driver = value[..colon];
        return driver == "k8s-file"
            ? value[(colon + 1)..]
            : throw new UsageException($"log driver \"{driver}\" is not supported by crio-conmon (only k8s-file)");
    }

    private void Check()
    {
        if (Version)
        {
            return;
        }

        if (Exec && BundlePath.Length == 0)
        {
            // CRI-O runs an exec monitor in the bundle without naming it.
            BundlePath = Environment.CurrentDirectory;
        }

        var required = Exec
            ? new[] { (ContainerId, "--cid"), (RuntimePath, "--runtime"), (ExecProcessSpec, "--exec-process-spec"), (LogPath, "--log-path") }
            : [(ContainerId, "--cid"), (RuntimePath, "--runtime"), (BundlePath, "--bundle"), (ExitDirectory, "--exit-dir"), (LogPath, "--log-path")];
        foreach (var (value, option) in required)
        {
            if (value.Length == 0)
            {
                throw new UsageException($"option {option} is required");
            }
        }

        if (Uuid.Length == 0)
        {
            Uuid = ContainerId;
        }

        if (ContainerPidFile.Length == 0)
        {
            ContainerPidFile = Path.Join(BundlePath, "pidfile-" + ContainerId);
        }

        if (Terminal && Stdin)
        {
            // Upstream takes both; a terminal already carries stdin.
            Stdin = false;
        }
    }
}

/// <summary>A command line this monitor cannot run; the message says why.</summary>
internal sealed class UsageException(string message) : Exception(message);
