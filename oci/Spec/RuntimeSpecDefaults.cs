namespace CriO.Oci.Spec;

/// <summary>
/// The base spec a container starts from: what <c>runc spec</c> writes (the standard kernel
/// filesystem mounts, new pid/network/ipc/uts/mount namespaces, a small capability set,
/// RLIMIT_NOFILE 1024), with CRI-O's masked and read-only paths and a device cgroup that denies
/// all but the standard character devices. Plain data: the daemon maps CRI settings onto it.
/// Each call returns a fresh, independent object.
/// </summary>
public static class RuntimeSpecDefaults
{
    /// <summary>Paths under /proc and /sys the runtime hides (an empty file or tmpfs over them).</summary>
    public static IReadOnlyList<string> MaskedPaths { get; } =
    [
        "/proc/acpi",
        "/proc/kcore",
        "/proc/keys",
        "/proc/latency_stats",
        "/proc/timer_list",
        "/proc/timer_stats",
        "/proc/sched_debug",
        "/proc/scsi",
        "/sys/firmware",
        "/sys/devices/virtual/powercap",
    ];

    /// <summary>Paths under /proc the runtime bind-mounts read-only.</summary>
    public static IReadOnlyList<string> ReadonlyPaths { get; } =
    [
        "/proc/asound",
        "/proc/bus",
        "/proc/fs",
        "/proc/irq",
        "/proc/sys",
        "/proc/sysrq-trigger",
    ];

    /// <summary>The capabilities <c>runc spec</c> grants.</summary>
    public static IReadOnlyList<string> Capabilities { get; } = ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"];

    /// <summary>A spec with <paramref name="args"/> as the process, rootfs at <c>bundle/rootfs</c>.</summary>
    public static RuntimeSpec Create(IEnumerable<string> args) => new()
    {
        Process = new ProcessSpec
        {
            Terminal = false,
            User = new UserSpec { Uid = 0, Gid = 0 },
            Args = [.. args],
            Env = ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"],
            Cwd = "/",
            Capabilities = new LinuxCapabilities
            {
                Bounding = [.. Capabilities],
                Effective = [.. Capabilities],
                Permitted = [.. Capabilities],
                Ambient = [.. Capabilities],
            },
            Rlimits = [new PosixRlimit { Type = "RLIMIT_NOFILE", Hard = 1024, Soft = 1024 }],
            NoNewPrivileges = true,
        },
        Root = new RootSpec { Path = "rootfs", Readonly = true },
        Hostname = "crio",
        Mounts = Mounts(),
        Linux = new LinuxSpec
        {
            Namespaces = [.. new[] { "pid", "network", "ipc", "uts", "mount" }.Select(t => new LinuxNamespace { Type = t })],
            Resources = new LinuxResources { Devices = DeviceRules() },
            MaskedPaths = [.. MaskedPaths],
            ReadonlyPaths = [.. ReadonlyPaths],
        },
    };

    /// <summary>The kernel filesystems every container gets, in mount order.</summary>
    public static List<MountSpec> Mounts() =>
    [
        new() { Destination = "/proc", Type = "proc", Source = "proc" },
        new()
        {
            Destination = "/dev", Type = "tmpfs", Source = "tmpfs",
            Options = ["nosuid", "strictatime", "mode=755", "size=65536k"],
        },
        new()
        {
            Destination = "/dev/pts", Type = "devpts", Source = "devpts",
            Options = ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"],
        },
        new()
        {
            Destination = "/dev/shm", Type = "tmpfs", Source = "shm",
            Options = ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"],
        },
        new() { Destination = "/dev/mqueue", Type = "mqueue", Source = "mqueue", Options = ["nosuid", "noexec", "nodev"] },
        new() { Destination = "/sys", Type = "sysfs", Source = "sysfs", Options = ["nosuid", "noexec", "nodev", "ro"] },
        new()
        {
            Destination = "/sys/fs/cgroup", Type = "cgroup", Source = "cgroup",
            Options = ["nosuid", "noexec", "nodev", "relatime", "ro"],
        },
    ];

    /// <summary>
    /// The device cgroup: deny everything, then allow mknod of any node and use of the devices
    /// the runtime creates itself (config-linux.md "Default Devices": null, zero, full, random,
    /// urandom, tty, console, ptmx) and the container's ptys.
    /// </summary>
    public static List<LinuxDeviceCgroup> DeviceRules() =>
    [
        new() { Allow = false, Access = "rwm" },
        new() { Allow = true, Type = "c", Access = "m" },
        new() { Allow = true, Type = "b", Access = "m" },
        Char(1, 3),   // /dev/null
        Char(1, 5),   // /dev/zero
        Char(1, 7),   // /dev/full
        Char(1, 8),   // /dev/random
        Char(1, 9),   // /dev/urandom
        Char(5, 0),   // /dev/tty
        Char(5, 1),   // /dev/console
        Char(5, 2),   // /dev/ptmx
        new() { Allow = true, Type = "c", Major = 136, Access = "rwm" }, // /dev/pts/*
    ];

    private static LinuxDeviceCgroup Char(long major, long minor) =>
        new() { Allow = true, Type = "c", Major = major, Minor = minor, Access = "rwm" };
}
