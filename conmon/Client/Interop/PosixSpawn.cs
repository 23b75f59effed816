using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using System.Text;
using CriO.Storage.Interop;
using Tmds.Linux;
using static Tmds.Linux.LibC;

namespace CriO.Conmon.Client.Interop;

/// <summary>
/// posix_spawn(3) with file actions, for starting a monitor with extra inherited descriptors
/// (System.Diagnostics.Process passes only 0-2):
/// https://man7.org/linux/man-pages/man3/posix_spawn.3.html,
/// https://man7.org/linux/man-pages/man3/posix_spawn_file_actions_adddup2.3.html.
/// </summary>
[SupportedOSPlatform("linux")]
internal static unsafe partial class PosixSpawn
{
    private const short SetProcessGroup = 0x02; // POSIX_SPAWN_SETPGROUP
    private const short SetSignalDefault = 0x04; // POSIX_SPAWN_SETSIGDEF
    private const short SetSignalMask = 0x08; // POSIX_SPAWN_SETSIGMASK
    private const short SetSession = 0x80; // POSIX_SPAWN_SETSID (glibc 2.26)

    // glibc's posix_spawn_file_actions_t is 80 bytes and posix_spawnattr_t 336 on 64-bit
    // Linux; both are allocated larger so the layout never matters here.
    private const int OpaqueSize = 1024;

    /// <summary>
    /// Starts <paramref name="path"/> in its own process group with <paramref name="workingDirectory"/>
    /// as cwd, /dev/null on 0-2, each descriptor of <paramref name="inherit"/> dup2'ed to its target
    /// number, the signal mask empty and SIGPIPE back to its default (.NET ignores it, and an
    /// ignored signal survives exec). Returns the child's pid. With <paramref name="newSession"/>
    /// the child leads a session of its own instead (setsid), away from the caller's terminal
    /// and process group: how a monitor leaves the daemon. With <paramref name="terminal"/> (a
    /// pseudo-terminal slave's path) as well, that terminal is its stdio and controlling terminal.
    /// </summary>
    public static int Spawn(
        string path,
        IReadOnlyList<string> arguments,
        IReadOnlyList<string> environment,
        string workingDirectory,
        IReadOnlyList<(SafeFd Fd, int Target)> inherit,
        bool newSession = false,
        string? terminal = null)
    {
        var strings = new List<IntPtr>();
        var actions = NativeMemory.AllocZeroed(OpaqueSize);
        var attributes = NativeMemory.AllocZeroed(OpaqueSize);
        var argv = (byte**)NativeMemory.AllocZeroed((nuint)(arguments.Count + 2), (nuint)sizeof(byte*));
        var envp = (byte**)NativeMemory.AllocZeroed((nuint)(environment.Count + 1), (nuint)sizeof(byte*));
        var refs = new List<SafeFd>();
        try
        {
            byte* Native(string value)
            {
                var p = Marshal.StringToCoTaskMemUTF8(value);
                strings.Add(p);
                return (byte*)p;
            }

            argv[0] = Native(path);
            for (var i = 0; i < arguments.Count; i++)
            {
                argv[i + 1] = Native(arguments[i]);
            }

            for (var i = 0; i < environment.Count; i++)
            {
                envp[i] = Native(environment[i]);
            }

            Check(posix_spawn_file_actions_init(actions), "posix_spawn_file_actions_init");
            try
            {
                Check(posix_spawnattr_init(attributes), "posix_spawnattr_init");
                try
                {
                    if (terminal is not null)
                    {
                        // Opened in the child after setsid: the session's first terminal becomes
                        // its controlling one. stdout and stderr are the same terminal.
                        Check(posix_spawn_file_actions_addopen(actions, 0, Native(terminal), O_RDWR, 0), "addopen terminal");
                        Check(posix_spawn_file_actions_adddup2(actions, 0, 1), "adddup2 1");
                        Check(posix_spawn_file_actions_adddup2(actions, 0, 2), "adddup2 2");
                    }
                    else
                    {
                        var devNull = Native("/dev/null");
                        Check(posix_spawn_file_actions_addopen(actions, 0, devNull, O_RDONLY, 0), "addopen 0");
                        Check(posix_spawn_file_actions_addopen(actions, 1, devNull, O_WRONLY, 0), "addopen 1");
                        Check(posix_spawn_file_actions_addopen(actions, 2, devNull, O_WRONLY, 0), "addopen 2");
                    }

                    foreach (var (fd, target) in inherit)
                    {
                        var added = false;
                        fd.DangerousAddRef(ref added);
                        refs.Add(fd);
                        Check(posix_spawn_file_actions_adddup2(actions, fd.Number, target), $"adddup2 {target}");
                    }

                    Check(posix_spawn_file_actions_addchdir_np(actions, Native(workingDirectory)), "addchdir_np");

                    sigset_t empty;
                    sigset_t defaults;
                    sigemptyset(&empty);
                    sigemptyset(&defaults);
                    sigaddset(&defaults, SIGPIPE);
                    Check(posix_spawnattr_setsigmask(attributes, &empty), "setsigmask");
                    Check(posix_spawnattr_setsigdefault(attributes, &defaults), "setsigdefault");
                    Check(posix_spawnattr_setpgroup(attributes, 0), "setpgroup");
                    Check(posix_spawnattr_setflags(attributes, (short)((newSession ? SetSession : SetProcessGroup) | SetSignalDefault | SetSignalMask)), "setflags");

                    int pid;
                    var error = posix_spawn(&pid, argv[0], actions, attributes, argv, envp);
                    if (error != 0)
                    {
                        throw NativeErrors.Error(error, "posix_spawn", path);
                    }

                    return pid;
                }
                finally
                {
                    _ = posix_spawnattr_destroy(attributes);
                }
            }
            finally
            {
                _ = posix_spawn_file_actions_destroy(actions);
            }
        }
        finally
        {
            foreach (var fd in refs)
            {
                fd.DangerousRelease();
            }

            foreach (var p in strings)
            {
                Marshal.FreeCoTaskMem(p);
            }

            NativeMemory.Free(argv);
            NativeMemory.Free(envp);
            NativeMemory.Free(actions);
            NativeMemory.Free(attributes);
        }
    }

    // The posix_spawn family returns an error number instead of setting errno.
    private static void Check(int error, string call)
    {
        if (error != 0)
        {
            throw NativeErrors.Error(error, "posix_spawn", call);
        }
    }

    [LibraryImport("libc", EntryPoint = "posix_spawn")]
    private static partial int posix_spawn(int* pid, byte* path, void* fileActions, void* attributes, byte** argv, byte** envp);

    [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_init")]
    private static partial int posix_spawn_file_actions_init(void* fileActions);

    [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_destroy")]
    private static partial int posix_spawn_file_actions_destroy(void* fileActions);

    [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_adddup2")]
    private static partial int posix_spawn_file_actions_adddup2(void* fileActions, int fd, int newFd);

    [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_addopen")]
    private static partial int posix_spawn_file_actions_addopen(void* fileActions, int fd, byte* path, int flags, uint mode);

    // glibc 2.29 and later: https://man7.org/linux/man-pages/man3/posix_spawn_file_actions_addchdir_np.3.html
    [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_addchdir_np")]
    private static partial int posix_spawn_file_actions_addchdir_np(void* fileActions, byte* path);

    [LibraryImport("libc", EntryPoint = "posix_spawnattr_init")]
    private static partial int posix_spawnattr_init(void* attributes);

    [LibraryImport("libc", EntryPoint = "posix_spawnattr_destroy")]
    private static partial int posix_spawnattr_destroy(void* attributes);

    [LibraryImport("libc", EntryPoint = "posix_spawnattr_setflags")]
    private static partial int posix_spawnattr_setflags(void* attributes, short flags);

    [LibraryImport("libc", EntryPoint = "posix_spawnattr_setsigmask")]
    private static partial int posix_spawnattr_setsigmask(void* attributes, sigset_t* mask);

    [LibraryImport("libc", EntryPoint = "posix_spawnattr_setsigdefault")]
    private static partial int posix_spawnattr_setsigdefault(void* attributes, sigset_t* signals);

    [LibraryImport("libc", EntryPoint = "posix_spawnattr_setpgroup")]
    private static partial int posix_spawnattr_setpgroup(void* attributes, int processGroup);
}
