using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using Tmds.Linux;
using static Tmds.Linux.LibC;

namespace CriO.Pause.Interop;

/// <summary>
/// setsid(2), chdir(2), chroot(2), open(2) and dup2(2): leaving the starter's session, terminal,
/// stdio and view of the file system. https://man7.org/linux/man-pages/man2/setsid.2.html and
/// the pages next to it.
/// </summary>
[SupportedOSPlatform("linux")]
internal static unsafe partial class PauseCalls
{
    /// <summary>A new session (no controlling terminal); already being a group leader (EPERM) is fine.</summary>
    public static void NewSession()
    {
        if (setsid() < 0 && Marshal.GetLastPInvokeError() != EPERM)
        {
            throw Error(Marshal.GetLastPInvokeError(), "setsid");
        }
    }

    /// <summary>Makes <paramref name="path"/> the working directory.</summary>
    public static void ChangeDirectory(string path)
    {
        fixed (byte* p = Native(path))
        {
            Check(chdir(p), "chdir " + path);
        }
    }

    /// <summary>
    /// Makes <paramref name="root"/> the root directory and the working directory, so that no path
    /// (not even a relative one from the old working directory) leads out of it.
    /// </summary>
    public static void ChangeRoot(string root)
    {
        ChangeDirectory(root);
        fixed (byte* dot = ".\0"u8)
        {
            Check(chroot(dot), "chroot " + root);
        }

        ChangeDirectory("/");
    }

    /// <summary>Whether <paramref name="path"/> is a directory (false when it is not there).</summary>
    public static bool IsDirectory(string path)
    {
        stat status;
        fixed (byte* p = Native(path))
        {
            return LibC.stat(p, &status) == 0 && (status.st_mode & S_IFMT) == S_IFDIR;
        }
    }

    /// <summary>
    /// Points stdin, stdout and stderr at /dev/null, whether they are open or not, so that the
    /// pause holds nobody's pipe or terminal.
    /// </summary>
    public static void StdioToDevNull()
    {
        int devNull;
        fixed (byte* p = "/dev/null\0"u8)
        {
            while (Interrupted(devNull = open(p, O_RDWR, 0)))
            {
            }
        }

        Check(devNull, "open /dev/null");
        for (var fd = 0; fd <= 2; fd++)
        {
            if (fd != devNull)
            {
                int result;
                while (Interrupted(result = dup2(devNull, fd)))
                {
                }

                Check(result, "dup2 /dev/null");
            }
        }

        if (devNull > 2)
        {
            close(devNull);
        }
    }
}
