using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using Tmds.Linux;
using static Tmds.Linux.LibC;

namespace CriO.Pinns.Interop;

/// <summary>
/// posix_spawn(3) and its attribute and file-action calls (not in Tmds.LibC):
/// https://man7.org/linux/man-pages/man3/posix_spawn.3.html.
/// </summary>
/// <remarks>
/// glibc runs posix_spawn as clone(CLONE_VM|CLONE_VFORK) from the calling thread, so the child
/// gets that thread's namespaces, and returns only once the child has called execve (an exec
/// failure comes back as the error number). System.Diagnostics.Process would also fork from the
/// calling thread, but it starts a signal-handling thread on first use, which the kernel refuses
/// while this thread has an unshared PID namespace for its children, and it cannot give the child
/// /dev/null for stdio without pinns swapping its own.
/// </remarks>
[SupportedOSPlatform("linux")]
internal static unsafe partial class NamespaceCalls
{
    /// <summary>POSIX_SPAWN_SETSIGDEF and POSIX_SPAWN_SETSIGMASK from spawn.h.</summary>
    private const short SpawnSetSignalDefaults = 0x04;
    private const short SpawnSetSignalMask = 0x08;

    /// <summary>
    /// Room for glibc's posix_spawnattr_t (336 bytes) and posix_spawn_file_actions_t (80 bytes),
    /// with margin; the init calls fill them.
    /// </summary>
    private const int SpawnStructBytes = 1024;

    /// <summary>
    /// Starts <paramref name="path"/> (argv: the path, then <paramref name="arguments"/>; an empty environment) as a child of the
    /// calling thread, with stdin, stdout and stderr on /dev/null (it keeps none of pinns' pipes),
    /// every signal at its default action and none blocked; its pid.
    /// </summary>
    public static int Spawn(string path, IReadOnlyList<string> arguments)
    {
        var program = Native(path);
        var argumentBytes = arguments.Select(Native).ToArray();
        var attributes = NativeMemory.AlignedAlloc(SpawnStructBytes, 16);
        var actions = NativeMemory.AlignedAlloc(SpawnStructBytes, 16);
        try
        {
            Check(posix_spawnattr_init(attributes), "posix_spawnattr_init", path);
            Check(posix_spawn_file_actions_init(actions), "posix_spawn_file_actions_init", path);
            try
            {
                sigset_t all;
                sigset_t none;
                sigfillset(&all);
                sigemptyset(&none);
                Check(posix_spawnattr_setsigdefault(attributes, &all), "posix_spawnattr_setsigdefault", path);
                Check(posix_spawnattr_setsigmask(attributes, &none), "posix_spawnattr_setsigmask", path);
                Check(posix_spawnattr_setflags(attributes, SpawnSetSignalDefaults | SpawnSetSignalMask), "posix_spawnattr_setflags", path);
                fixed (byte* devNull = "/dev/null\0"u8)
                {
                    Check(posix_spawn_file_actions_addopen(actions, 0, devNull, O_RDONLY, 0), "posix_spawn_file_actions_addopen", "/dev/null");
                    Check(posix_spawn_file_actions_addopen(actions, 1, devNull, O_WRONLY, 0), "posix_spawn_file_actions_addopen", "/dev/null");
                    Check(posix_spawn_file_actions_addopen(actions, 2, devNull, O_WRONLY, 0), "posix_spawn_file_actions_addopen", "/dev/null");
                }

                int pid;
                var pinned = argumentBytes.Select(a => GCHandle.Alloc(a, GCHandleType.Pinned)).ToArray();
                try
                {
                    fixed (byte* p = program)
                    {
                        var argv = stackalloc byte*[argumentBytes.Length + 2];
                        argv[0] = p;
                        for (var i = 0; i < pinned.Length; i++)
                        {
                            argv[i + 1] = (byte*)pinned[i].AddrOfPinnedObject();
                        }

                        argv[argumentBytes.Length + 1] = null;
                        var envp = stackalloc byte*[] { null };
                        Check(posix_spawn(&pid, p, actions, attributes, argv, envp), "posix_spawn", path);
                    }
                }
                finally
                {
                    foreach (var handle in pinned)
                    {
                        handle.Free();
                    }
                }

                return pid;
            }
            finally
            {
                posix_spawn_file_actions_destroy(actions);
                posix_spawnattr_destroy(attributes);
            }
        }
        finally
        {
            NativeMemory.AlignedFree(actions);
            NativeMemory.AlignedFree(attributes);
        }
    }

    /// <summary>The posix_spawn family returns an error number rather than setting errno.</summary>
    private static void Check(int error, string call, string subject)
    {
        if (error != 0)
        {
            throw Error(error, call, subject);
        }
    }

    [LibraryImport("libc")]
    private static partial int posix_spawn(int* pid, byte* path, void* fileActions, void* attributes, byte** argv, byte** envp);

    [LibraryImport("libc")]
    private static partial int posix_spawnattr_init(void* attributes);

    [LibraryImport("libc")]
    private static partial int posix_spawnattr_destroy(void* attributes);

    [LibraryImport("libc")]
    private static partial int posix_spawnattr_setflags(void* attributes, short flags);

    [LibraryImport("libc")]
    private static partial int posix_spawnattr_setsigdefault(void* attributes, sigset_t* signals);

    [LibraryImport("libc")]
    private static partial int posix_spawnattr_setsigmask(void* attributes, sigset_t* signals);

    [LibraryImport("libc")]
    private static partial int posix_spawn_file_actions_init(void* actions);

    [LibraryImport("libc")]
    private static partial int posix_spawn_file_actions_destroy(void* actions);

    [LibraryImport("libc")]
    private static partial int posix_spawn_file_actions_addopen(void* actions, int fd, byte* path, int flags, uint mode);
}
