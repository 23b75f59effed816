using System.Security.Cryptography;
using System.Text;
using CriO.Cri;
using CriO.Oci.Spec;
using CriO.Server.Errors;
using CriO.Server.Sandbox;

namespace CriO.Server.Containers.Spec;

public static partial class ContainerSpecBuilder
{
    /// <summary>A CRI mount as recorded in the io.kubernetes.cri-o.Volumes annotation (CRI-O's shape).</summary>
    internal sealed record VolumeRecord(string ContainerPath, string HostPath, bool Readonly, int Propagation, bool SelinuxRelabel);

    /// <summary>
    /// The kernel filesystems, then the pod's /etc/hosts, /etc/resolv.conf, /etc/hostname and
    /// /dev/shm (read-only with a read-only root, as CRI-O), then the kubelet's mounts, then image
    /// VOLUMEs no kubelet mount covers. A kubelet mount replaces any earlier one at the same place
    /// (the kubelet sends its own /etc/hosts). Added mounts go parents first.
    /// </summary>
    private static List<VolumeRecord> BuildMounts(ContainerSpecInput input, LinuxContainerSecurityContext security, RuntimeSpec spec)
    {
        var mounts = spec.Mounts!;
        var pod = input.Pod;
        var readWrite = security.ReadonlyRootfs ? "ro" : "rw";
        var extra = new List<MountSpec>();
        if (pod.RunDirectory.Length > 0)
        {
            foreach (var (file, destination) in new[] { (PodFiles.HostsFile, "/etc/hosts"), (PodFiles.ResolvConf, "/etc/resolv.conf"), (PodFiles.HostnameFile, "/etc/hostname") })
            {
                var source = Path.Join(pod.RunDirectory, file);
                if (File.Exists(source))
                {
                    extra.Add(new MountSpec { Destination = destination, Type = "bind", Source = source, Options = ["bind", "rprivate", "nodev", "nosuid", "noexec", readWrite] });
                }
            }
        }

        if (pod.ShmPath.Length > 0)
        {
            mounts.RemoveAll(m => m.Destination == "/dev/shm");
            mounts.Add(new MountSpec { Destination = "/dev/shm", Type = "bind", Source = pod.ShmPath, Options = ["rw", "bind"] });
        }

        var volumes = new List<VolumeRecord>();
        var propagation = "";
        foreach (var mount in input.Config.Mounts)
        {
            var destination = CleanContainerPath(mount.ContainerPath, "mounts.container_path");
            if (mount.Image is not null && mount.Image.Image.Length > 0)
            {
                throw new InvalidArgumentException($"mounts: image volume at {destination} is not supported");
            }

            if (mount.UidMappings.Count > 0 || mount.GidMappings.Count > 0)
            {
                throw new InvalidArgumentException($"mounts: id-mapped mount at {destination} is not supported");
            }

            if (mount.RecursiveReadOnly)
            {
                throw new InvalidArgumentException($"mounts: recursive_read_only at {destination} is not supported by this runtime");
            }

            var source = mount.HostPath;
            if (!Path.IsPathFullyQualified(source))
            {
                throw new InvalidArgumentException($"mounts: host_path \"{source}\" for {destination} is not an absolute path");
            }

            EnsureMountSource(source, input.Defaults.AbsentMountSourcesToReject);
            var options = new List<string> { "rbind" };
            switch (mount.Propagation)
            {
                case MountPropagation.PropagationPrivate:
                    options.Add("rprivate");
                    break;
                case MountPropagation.PropagationHostToContainer:
                    options.Add("rslave");
                    propagation = propagation == "rshared" ? propagation : "rslave";
                    break;
                case MountPropagation.PropagationBidirectional:
                    options.Add("rshared");
                    propagation = "rshared";
                    break;
                default:
                    throw new InvalidArgumentException($"mounts: unknown propagation {mount.Propagation} for {destination}");
            }

            options.Add(mount.Readonly ? "ro" : "rw");

            // selinux_relabel is ignored: SELinux labelling is not supported (selinux = false).
            extra.RemoveAll(m => m.Destination == destination);
            mounts.RemoveAll(m => m.Destination == destination);
            extra.Add(new MountSpec { Destination = destination, Type = "bind", Source = source, Options = options });
            volumes.Add(new VolumeRecord(destination, source, mount.Readonly, (int)mount.Propagation, mount.SelinuxRelabel));
        }

        if (input.ContainerDirectory.Length > 0)
        {
            foreach (var volume in input.Image?.Config?.Volumes?.Keys ?? (IEnumerable<string>)[])
            {
                var destination = CleanContainerPath(volume, "image VOLUME");
                if (extra.Any(m => m.Destination == destination) || mounts.Any(m => m.Destination == destination))
                {
                    continue;
                }

                var source = Path.Join(input.ContainerDirectory, "volumes", Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(destination)))[..32]);
                Directory.CreateDirectory(source);
                extra.Add(new MountSpec { Destination = destination, Type = "bind", Source = source, Options = ["rbind", "rprivate", "rw"] });
            }
        }

        // Parents before children, so /a is mounted before /a/b; OrderBy is stable.
        mounts.AddRange(extra.OrderBy(m => m.Destination.Count(c => c == '/')));
        if (propagation.Length > 0)
        {
            spec.Linux!.RootfsPropagation = propagation;
        }

        return volumes;
    }

    /// <summary>A kubelet mount's source: made as a folder when missing (CRI-O's way), unless the operator rejects it.</summary>
    private static void EnsureMountSource(string source, IReadOnlyList<string>? reject)
    {
        if (File.Exists(source) || Directory.Exists(source) || new FileInfo(source).LinkTarget is not null)
        {
            return;
        }

        if (reject is not null && reject.Contains(Path.TrimEndingDirectorySeparator(source), StringComparer.Ordinal))
        {
            throw new InvalidArgumentException($"mounts: host_path {source} does not exist and absent_mount_sources_to_reject lists it");
        }

        try
        {
            Directory.CreateDirectory(source);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidArgumentException($"mounts: host_path {source} does not exist and cannot be made: {e.Message}", e);
        }
    }

    private static string CleanContainerPath(string path, string field)
    {
        if (!path.StartsWith('/'))
        {
            throw new InvalidArgumentException($"{field} \"{path}\" is not an absolute path");
        }

        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(p => p != ".").ToList();
        if (parts.Contains(".."))
        {
            throw new InvalidArgumentException($"{field} \"{path}\" contains \"..\"");
        }

        return parts.Count == 0
            ? throw new InvalidArgumentException($"{field} \"{path}\" is the root")
            : "/" + string.Join('/', parts);
    }
}
