using System.Text;
using CriO.Storage.Interop;

namespace CriO.Storage.Overlay;

/// <summary>
/// The overlay graph driver, laid out on disk as containers/storage's overlay driver does, so
/// podman and skopeo mount our layers and we mount theirs.
/// </summary>
/// <remarks>
/// <code>
/// GRAPHROOT/overlay/
///   l/                       short links: l/ABCDEFGHIJKLMNOPQRSTUVWXYZ -> ../LAYERID/diff
///   LAYERID/
///     diff/                  the layer's own files (an image layer's applied tar, or a container's writes)
///     link                   the name of this layer's short link in l/
///     lower                  only with a parent: "l/PARENT:l/GRANDPARENT:...", nearest first
///     empty/                 only without a parent: an empty lower for mounting a base layer alone
///     work/                  overlay's workdir for when diff is the upper layer
///     merged/                the mount point
/// </code>
/// Why the short links: the kernel takes all mount options in one page (4096 bytes). A lower
/// directory named by its link is "l/" plus 26 characters instead of a 64-character ID plus
/// the graph root, which is what lets images of 100+ layers mount. Where even that does not fit
/// in a page with absolute paths, mount(8) is run with the driver's home as its working
/// directory and the options relative to it (we cannot chdir: the process is multi-threaded).
/// Layer folders are created and removed under the layer store's lock; this type takes none.
/// </remarks>
public sealed class OverlayDriver
{
    private const string LinkDirectory = "l";
    private const string LowerFile = "lower";
    private const string LinkFile = "link";
    private const int PageSize = 4096;

    private static readonly UnixFileMode PrivateDirectory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private static readonly UnixFileMode PublicDirectory = PrivateDirectory | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
    private static readonly UnixFileMode BaseDiffMode = PublicDirectory & ~UnixFileMode.UserWrite;

    public OverlayDriver(string graphRoot)
    {
        Home = Path.Combine(graphRoot, "overlay");
        Directory.CreateDirectory(Home, PrivateDirectory);
        Directory.CreateDirectory(Path.Combine(Home, LinkDirectory), PublicDirectory);
    }

    /// <summary>GRAPHROOT/overlay.</summary>
    public string Home { get; }

    public string LayerDirectory(string id) => Path.Combine(Home, id);

    public string DiffDirectory(string id) => Path.Combine(Home, id, "diff");

    public string MergedDirectory(string id) => Path.Combine(Home, id, "merged");

    public bool Exists(string id) => Directory.Exists(DiffDirectory(id));

    /// <summary>Creates the folders of a new layer on <paramref name="parent"/> (null for a base layer).</summary>
    public void Create(string id, string? parent)
    {
        var layer = LayerDirectory(id);
        Directory.CreateDirectory(layer, PrivateDirectory);
        try
        {
            // As containers/storage: a base layer's diff is 0555, a child's takes its parent's mode.
            var diffMode = parent is null ? BaseDiffMode : File.GetUnixFileMode(DiffDirectory(parent));
            Directory.CreateDirectory(DiffDirectory(id), diffMode);
            File.SetUnixFileMode(DiffDirectory(id), diffMode);
            var link = ShortLinkId.Create();
            File.CreateSymbolicLink(Path.Combine(Home, LinkDirectory, link), Path.Combine("..", id, "diff"));
            File.WriteAllText(Path.Combine(layer, LinkFile), link);
            Directory.CreateDirectory(Path.Combine(layer, "work"), PrivateDirectory);
            Directory.CreateDirectory(Path.Combine(layer, "merged"), PrivateDirectory);
            if (parent is null)
            {
                Directory.CreateDirectory(Path.Combine(layer, "empty"), PrivateDirectory);
            }
            else
            {
                File.WriteAllText(Path.Combine(layer, LowerFile), LowerOf(parent));
            }
        }
        catch
        {
            Remove(id);
            throw;
        }
    }

    /// <summary>Removes a layer's folders and short link; nothing happens for a layer that is not there.</summary>
    public void Remove(string id)
    {
        var layer = LayerDirectory(id);
        if (!Directory.Exists(layer))
        {
            return;
        }

        MountCalls.Unmount(MergedDirectory(id), MountCalls.MntDetach);
        var linkFile = Path.Combine(layer, LinkFile);
        if (File.Exists(linkFile))
        {
            var link = File.ReadAllText(linkFile).Trim();
            if (ShortLinkId.IsValid(link))
            {
                File.Delete(Path.Combine(Home, LinkDirectory, link));
            }
        }

        Directory.Delete(layer, recursive: true);
    }

    /// <summary>
    /// Mounts the layer with its parents below it at its merged folder and returns that path:
    /// read-write with the layer's diff as upper (a container's layer), or read-only with the
    /// diff as the top lower (to look at an image's files).
    /// </summary>
    public string Mount(string id, bool readOnly, string? mountLabel = null)
    {
        var lowers = LowerLinks(id);
        var merged = MergedDirectory(id);
        var label = string.IsNullOrEmpty(mountLabel) ? "" : $",context=\"{mountLabel}\"";

        // Relative to Home, as c/storage writes them; absolute when they fit in a page.
        string Options(string prefix)
        {
            var diff = $"{prefix}{id}/diff";
            if (readOnly)
            {
                var lowerList = string.Join(':', new[] { diff }.Concat(lowers.Select(l => prefix + l)));

                // A base layer alone has no lower for overlay to stack on: its empty folder serves.
                return lowers.Count == 0
                    ? $"lowerdir={diff}:{prefix}{id}/empty{label}"
                    : $"lowerdir={lowerList}{label}";
            }

            var lower = lowers.Count == 0 ? $"{prefix}{id}/empty" : string.Join(':', lowers.Select(l => prefix + l));
            return $"lowerdir={lower},upperdir={diff},workdir={prefix}{id}/work{label}";
        }

        var absolute = Options(Home + "/");
        if (Encoding.UTF8.GetByteCount(absolute) < PageSize)
        {
            MountCalls.Mount("overlay", merged, "overlay", readOnly ? 1UL /* MS_RDONLY */ : 0, absolute);
            return merged;
        }

        var relative = Options("");
        if (Encoding.UTF8.GetByteCount(relative) >= PageSize)
        {
            throw new IOException($"layer {id} has too many parents ({lowers.Count}) for one overlay mount");
        }

        MountFromHome(relative, merged, readOnly);
        return merged;
    }

    public bool Unmount(string id) => MountCalls.Unmount(MergedDirectory(id), MountCalls.MntDetach);

    /// <summary>The short links of the layer's parents, nearest first ("l/XXXX"), read from its lower file.</summary>
    public IReadOnlyList<string> LowerLinks(string id)
    {
        var lowerFile = Path.Combine(LayerDirectory(id), LowerFile);
        if (!File.Exists(lowerFile))
        {
            return [];
        }

        var lowers = File.ReadAllText(lowerFile).Trim().Split(':', StringSplitOptions.RemoveEmptyEntries);
        foreach (var lower in lowers)
        {
            // The file is ours or podman's, but a mount option built from it must stay one.
            if (!lower.StartsWith(LinkDirectory + "/", StringComparison.Ordinal) || !ShortLinkId.IsValid(lower[2..]))
            {
                throw new InvalidDataException($"{lowerFile}: unexpected entry \"{lower}\"");
            }
        }

        return lowers;
    }

    private string LowerOf(string parent)
    {
        var parentLink = File.ReadAllText(Path.Combine(LayerDirectory(parent), LinkFile)).Trim();
        if (!ShortLinkId.IsValid(parentLink))
        {
            throw new InvalidDataException($"layer {parent}: unexpected link \"{parentLink}\"");
        }

        var parentLowers = LowerLinks(parent);
        return string.Join(':', new[] { $"{LinkDirectory}/{parentLink}" }.Concat(parentLowers));
    }

    private void MountFromHome(string options, string target, bool readOnly)
    {
        var start = new System.Diagnostics.ProcessStartInfo("mount")
        {
            WorkingDirectory = Home,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "-t", "overlay", "-o", (readOnly ? "ro," : "") + options, "overlay", target })
        {
            start.ArgumentList.Add(argument);
        }

        using var mount = System.Diagnostics.Process.Start(start) ?? throw new IOException("mount(8) did not start");
        var errors = mount.StandardError.ReadToEnd();
        mount.WaitForExit();
        if (mount.ExitCode != 0)
        {
            throw new IOException($"mount overlay on {target}: {errors.Trim()}");
        }
    }
}
