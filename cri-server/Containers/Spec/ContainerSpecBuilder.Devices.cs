using CriO.Cri;
using CriO.Oci.Spec;
using CriO.Server.Errors;
using CriO.Server.Interop;

namespace CriO.Server.Containers.Spec;

public static partial class ContainerSpecBuilder
{
    // What runc and crun leave out of a privileged container's host devices: folders that are
    // mounts of their own in every container, and the host's console.
    private static readonly HashSet<string> HostDeviceFoldersSkipped = ["pts", "shm", "fd", "mqueue", ".lxc", ".lxd-mounts", ".udev"];

    /// <summary>
    /// Device nodes: additional_devices from crio.conf, the CRI devices (a folder on the host
    /// brings every device under it), and for a privileged container every device of the host's
    /// /dev unless the handler says privileged_without_host_devices. Each gets a node in the
    /// container and a cgroup rule with its permissions.
    /// </summary>
    private static void BuildDevices(ContainerSpecInput input, LinuxContainerSecurityContext security, RuntimeSpec spec)
    {
        var linux = spec.Linux!;
        var devices = new List<LinuxDevice>();
        var rules = linux.Resources!.Devices ??= [];
        var owner = input.Defaults.DeviceOwnershipFromSecurityContext ? spec.Process!.User : null;

        void Place(string containerPath, FileStatus node)
        {
            devices.RemoveAll(d => d.Path == containerPath);
            devices.Add(new LinuxDevice
            {
                Path = containerPath, Type = node.DeviceKind, Major = node.Major, Minor = node.Minor, FileMode = node.Permissions,
                Uid = owner?.Uid ?? node.Uid, Gid = owner?.Gid ?? node.Gid,
            });
        }

        // Inside a folder, what is not a device is passed over; asked for by name, it is an error.
        void Add(string hostPath, string containerPath, string permissions, string field, bool inFolder = false)
        {
            // A device asked for by a /dev/disk/by-id name is the node its symlink points to.
            var node = FileStatus.Of(hostPath, followSymlink: true);
            if (node is { IsDirectory: true })
            {
                foreach (var (hostChild, containerChild) in DevicesUnder(hostPath, containerPath))
                {
                    Add(hostChild, containerChild, permissions, field, inFolder: true);
                }
            }
            else if (node is { DeviceKind.Length: > 0 } device)
            {
                Place(containerPath, device);
                rules.Add(new LinuxDeviceCgroup { Allow = true, Type = device.DeviceKind, Major = device.Major, Minor = device.Minor, Access = permissions });
            }
            else if (!inFolder)
            {
                throw new InvalidArgumentException(node is null
                    ? $"{field}: host device \"{hostPath}\" does not exist"
                    : $"{field}: \"{hostPath}\" is not a device node");
            }
        }

        foreach (var entry in input.Defaults.AdditionalDevices ?? [])
        {
            var (host, container, permissions) = ParseAdditionalDevice(entry);
            Add(host, container, permissions, $"additional_devices (crio.conf) \"{entry}\"");
        }

        if (security.Privileged && !input.Defaults.PrivilegedWithoutHostDevices)
        {
            // The cgroup already allows every device (BuildSecurity); these are the nodes.
            foreach (var (host, _) in DevicesUnder("/dev", "/dev"))
            {
                if (FileStatus.Of(host) is { DeviceKind: "c" or "b" } node)
                {
                    Place(host, node);
                }
            }
        }

        var requested = input.Config.Devices;
        for (var i = 0; i < requested.Count; i++)
        {
            var device = requested[i];
            var field = $"devices[{i}]";
            if (!Path.IsPathFullyQualified(device.HostPath))
            {
                throw new InvalidArgumentException($"{field}.host_path: \"{device.HostPath}\" is not an absolute path");
            }

            var containerPath = device.ContainerPath.Length > 0 ? device.ContainerPath : device.HostPath;
            if (!Path.IsPathFullyQualified(containerPath) || containerPath.Split('/').Contains(".."))
            {
                throw new InvalidArgumentException($"{field}.container_path: \"{device.ContainerPath}\" is not an absolute path inside the container");
            }

            Add(device.HostPath, containerPath, Permissions(device.Permissions, $"{field}.permissions"), field);
        }

        if (devices.Count > 0)
        {
            linux.Devices = devices;
        }
    }

    /// <summary>
    /// An additional_devices entry, as CRI-O and podman's --device read it:
    /// <c>HOST[:CONTAINER][:PERMISSIONS]</c>, the container path defaulting to the host's.
    /// </summary>
    internal static (string Host, string Container, string Permissions) ParseAdditionalDevice(string entry)
    {
        var parts = entry.Split(':');
        var field = $"additional_devices (crio.conf) \"{entry}\"";
        var (host, container, permissions) = parts.Length switch
        {
            1 => (parts[0], parts[0], "rwm"),
            2 when IsPermissions(parts[1]) => (parts[0], parts[0], parts[1]),
            2 => (parts[0], parts[1], "rwm"),
            3 => (parts[0], parts[1], parts[2]),
            _ => throw new InvalidArgumentException($"{field}: not HOST[:CONTAINER][:PERMISSIONS]"),
        };
        if (!Path.IsPathFullyQualified(host) || !Path.IsPathFullyQualified(container))
        {
            throw new InvalidArgumentException($"{field}: paths must be absolute");
        }

        return (host, container, Permissions(permissions, field));
    }

    // The kubelet sends "mrw"; any order of r, w and m is fine, nothing else is.
    private static string Permissions(string permissions, string field)
    {
        if (permissions.Length == 0)
        {
            return "rwm";
        }

        return IsPermissions(permissions)
            ? permissions
            : throw new InvalidArgumentException($"{field}: \"{permissions}\" is not a combination of r, w and m");
    }

    private static bool IsPermissions(string text) =>
        text.Length is > 0 and <= 3 && text.All(c => c is 'r' or 'w' or 'm') && text.Distinct().Count() == text.Length;

    // Every entry below a host folder with where it lands in the container; symlinks and the
    // folders that are mounts of their own are left out, and the caller keeps the device nodes.
    private static IEnumerable<(string Host, string Container)> DevicesUnder(string hostFolder, string containerFolder)
    {
        IEnumerable<string> entries;
        try
        {
            entries = Directory.EnumerateFileSystemEntries(hostFolder).ToList();
        }
        catch (DirectoryNotFoundException)
        {
            yield break;
        }

        foreach (var entry in entries)
        {
            var name = Path.GetFileName(entry);
            var info = new FileInfo(entry);
            if (info.LinkTarget is not null)
            {
                continue;
            }

            if ((info.Attributes & FileAttributes.Directory) != 0)
            {
                if (!HostDeviceFoldersSkipped.Contains(name))
                {
                    foreach (var child in DevicesUnder(entry, Path.Join(containerFolder, name)))
                    {
                        yield return child;
                    }
                }

                continue;
            }

            if (name != "console")
            {
                yield return (entry, Path.Join(containerFolder, name));
            }
        }
    }
}
