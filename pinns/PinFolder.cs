using CriO.Pinns.Interop;
using static Tmds.Linux.LibC;

namespace CriO.Pinns;

/// <summary>
/// A folder that holds pins of one kind (DIR/netns, DIR/ipcns, DIR/utsns), set up as iproute2's
/// <c>ip netns add</c> sets up /var/run/netns: created 0755 when missing, then made a shared
/// mount point (bound onto itself once if it is not a mount point yet, then MS_SHARED|MS_REC).
/// Shared, an unmount of a pin here propagates into mount namespaces copied from this one later
/// (a container's), so that the namespace is really released when the pod goes.
/// </summary>
/// <remarks>
/// The folder and its self-bind stay, as /var/run/netns does: other pods' pins live in it, and
/// another pinns may be using it at this moment, so a failed run never undoes them.
/// </remarks>
internal static class PinFolder
{
    private const int FolderMode = 0x1ed; // 0755

    public static void Prepare(string folder)
    {
        var parent = Path.GetDirectoryName(folder);
        if (parent is not null && !Directory.Exists(parent))
        {
            Directory.CreateDirectory(parent, (UnixFileMode)FolderMode);
        }

        NamespaceCalls.MakeDirectory(folder, FolderMode);
        var error = NamespaceCalls.TryMakeShared(folder);
        if (error == EINVAL)
        {
            // Not a mount point yet: make it one, then share it.
            NamespaceCalls.BindMount(folder, folder, recursive: true);
            error = NamespaceCalls.TryMakeShared(folder);
        }

        if (error != 0)
        {
            throw NamespaceCalls.Error(error, "mount --make-rshared", folder);
        }
    }
}
