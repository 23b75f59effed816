using System.Text.Json;
using System.Text.Json.Nodes;
using CriO.Oci.Spec;
using CriO.Tests.Shared;

namespace CriO.Oci.Tests.Spec;

public class OciJsonTests
{
    [Fact]
    public void OciVersion_is_1_0_2_which_debian_runc_and_crun_accept()
    {
        var json = JsonNode.Parse(OciJson.Serialize(new RuntimeSpec()))!;
        Assert.Equal("1.0.2", (string?)json["ociVersion"]);
        Assert.Equal("1.0.2", RuntimeSpec.SupportedVersion);
    }

    [Fact]
    public void Null_fields_and_empty_collections_are_left_out()
    {
        var spec = new RuntimeSpec
        {
            Process = new ProcessSpec { Args = ["sh"], Env = [] },
            Annotations = [],
            Linux = new LinuxSpec { Resources = new LinuxResources { Memory = new LinuxMemory { Limit = 1 } } },
        };

        var json = JsonNode.Parse(OciJson.Serialize(spec))!.AsObject();

        Assert.Equal(["ociVersion", "process", "linux"], json.Select(p => p.Key));
        var process = json["process"]!.AsObject();
        Assert.False(process.ContainsKey("env"));
        Assert.False(process.ContainsKey("oomScoreAdj"));
        Assert.False(process["user"]!.AsObject().ContainsKey("umask"));
        Assert.Equal("""{"limit":1}""", json["linux"]!["resources"]!["memory"]!.ToJsonString());
    }

    [Fact]
    public void Field_names_are_the_spec_names()
    {
        var json = JsonNode.Parse(OciJson.Serialize(FullSpec()))!;

        // Names as config.md and config-linux.md spell them (mixed case included).
        Assert.Equal(3, (int)json["process"]!["user"]!["umask"]!);
        Assert.Equal(10u, (uint)json["process"]!["user"]!["additionalGids"]![0]!);
        Assert.Equal(24u, (uint)json["process"]!["consoleSize"]!["height"]!);
        Assert.True((bool)json["process"]!["noNewPrivileges"]!);
        Assert.Equal(-500, (int)json["process"]!["oomScoreAdj"]!);
        Assert.Equal("RLIMIT_NOFILE", (string?)json["process"]!["rlimits"]![0]!["type"]);
        Assert.Equal(1000u, (uint)json["linux"]!["uidMappings"]![0]!["hostID"]!);
        Assert.Equal(0u, (uint)json["linux"]!["uidMappings"]![0]!["containerID"]!);
        Assert.True((bool)json["linux"]!["resources"]!["memory"]!["disableOOMKiller"]!);
        Assert.Equal(500, (int)json["linux"]!["resources"]!["blockIO"]!["weight"]!);
        Assert.Equal("2MB", (string?)json["linux"]!["resources"]!["hugepageLimits"]![0]!["pageSize"]);
        Assert.Equal(100000L, (long)json["linux"]!["resources"]!["cpu"]!["realtimePeriod"]!);
        Assert.Equal(1, (int)json["linux"]!["seccomp"]!["defaultErrnoRet"]!);
        Assert.Equal("SCMP_CMP_MASKED_EQ", (string?)json["linux"]!["seccomp"]!["syscalls"]![0]!["args"]![0]!["op"]);
        Assert.Equal(8u, (uint)json["linux"]!["seccomp"]!["syscalls"]![0]!["args"]![0]!["valueTwo"]!);
        Assert.Equal("rslave", (string?)json["linux"]!["rootfsPropagation"]);
        Assert.Equal(420u, (uint)json["linux"]!["devices"]![0]!["fileMode"]!);
        Assert.Equal("/usr/bin/hook", (string?)json["hooks"]!["createRuntime"]![0]!["path"]);
        Assert.Equal("system_u:object_r:container_file_t:s0", (string?)json["linux"]!["mountLabel"]);
    }

    [Fact]
    public void A_full_spec_survives_a_round_trip()
    {
        var first = OciJson.Serialize(FullSpec());
        var second = OciJson.Serialize(OciJson.Deserialize(first));

        Assert.Equal(first, second);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(first), JsonNode.Parse(second)));
    }

    /// <summary>Cross-check with an independent writer: what runc itself generates reads and writes back unchanged.</summary>
    [Fact]
    public async Task The_spec_runc_generates_reads_back_unchanged()
    {
        var dir = Directory.CreateTempSubdirectory("crio-oci-spec-");
        try
        {
            var (exit, _, errors) = await ChildProcess.RunAsync("runc", ["spec"], dir.FullName, TimeSpan.FromSeconds(30));
            Assert.True(exit == 0, errors);
            var theirs = await File.ReadAllTextAsync(Path.Combine(dir.FullName, "config.json"));

            var ours = OciJson.Serialize(OciJson.Deserialize(theirs));

            // Same content; property order may differ (JSON objects are unordered).
            Assert.True(JsonNode.DeepEquals(JsonNode.Parse(theirs), JsonNode.Parse(ours)), $"runc:\n{theirs}\nours:\n{ours}");
            Assert.StartsWith("1.0.2", OciJson.Deserialize(theirs).OciVersion, StringComparison.Ordinal);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task WriteConfigAsync_writes_config_json_and_leaves_no_temp_file()
    {
        var dir = Directory.CreateTempSubdirectory("crio-oci-spec-");
        try
        {
            await OciJson.WriteConfigAsync(dir.FullName, RuntimeSpecDefaults.Create(["true"]), CancellationToken.None);
            await OciJson.WriteConfigAsync(dir.FullName, RuntimeSpecDefaults.Create(["false"]), CancellationToken.None);

            Assert.Equal(["config.json"], dir.GetFiles().Select(f => f.Name));
            var spec = OciJson.Deserialize(await File.ReadAllTextAsync(Path.Combine(dir.FullName, "config.json")));
            Assert.Equal(["false"], spec.Process!.Args!);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    internal static RuntimeSpec FullSpec() => new()
    {
        Process = new ProcessSpec
        {
            Terminal = true,
            ConsoleSize = new ConsoleSize { Height = 24, Width = 80 },
            User = new UserSpec { Uid = 1000, Gid = 1000, Umask = 3, AdditionalGids = [10, 20] },
            Args = ["/bin/sh", "-c", "echo \"hi\""],
            Env = ["PATH=/bin", "A=b=c"],
            Cwd = "/work",
            Capabilities = new LinuxCapabilities
            {
                Bounding = ["CAP_KILL"], Effective = ["CAP_KILL"], Inheritable = ["CAP_KILL"],
                Permitted = ["CAP_KILL"], Ambient = ["CAP_KILL"],
            },
            Rlimits = [new PosixRlimit { Type = "RLIMIT_NOFILE", Hard = ulong.MaxValue, Soft = 1024 }],
            NoNewPrivileges = true,
            ApparmorProfile = "crio-default",
            OomScoreAdj = -500,
            SelinuxLabel = "system_u:system_r:container_t:s0:c1,c2",
        },
        Root = new RootSpec { Path = "/var/lib/x/rootfs", Readonly = true },
        Hostname = "pod",
        Mounts = [new MountSpec { Destination = "/data", Type = "bind", Source = "/srv/data", Options = ["rbind", "ro"] }],
        Hooks = new Hooks
        {
            CreateRuntime = [new Hook { Path = "/usr/bin/hook", Args = ["hook", "x"], Env = ["K=V"], Timeout = 5 }],
            Poststop = [new Hook { Path = "/usr/bin/after" }],
        },
        Annotations = new() { ["io.kubernetes.pod.name"] = "web" },
        Linux = new LinuxSpec
        {
            Namespaces = [new LinuxNamespace { Type = "pid" }, new LinuxNamespace { Type = "network", Path = "/var/run/netns/x" }],
            UidMappings = [new LinuxIdMapping { ContainerId = 0, HostId = 1000, Size = 65536 }],
            GidMappings = [new LinuxIdMapping { ContainerId = 0, HostId = 1000, Size = 65536 }],
            Devices = [new LinuxDevice { Path = "/dev/fuse", Type = "c", Major = 10, Minor = 229, FileMode = 420, Uid = 0, Gid = 0 }],
            CgroupsPath = "/kubepods/pod1/ctr",
            Resources = new LinuxResources
            {
                Devices = RuntimeSpecDefaults.DeviceRules(),
                Memory = new LinuxMemory
                {
                    Limit = 1 << 30, Reservation = 1 << 29, Swap = 1 << 30, Kernel = -1, Swappiness = 60, DisableOomKiller = true,
                },
                Cpu = new LinuxCpu
                {
                    Shares = 1024, Quota = 50000, Period = 100000, RealtimeRuntime = 950000, RealtimePeriod = 100000,
                    Cpus = "0-3", Mems = "0",
                },
                Pids = new LinuxPids { Limit = 1024 },
                BlockIo = new LinuxBlockIo { Weight = 500 },
                HugepageLimits = [new LinuxHugepageLimit { PageSize = "2MB", Limit = 1 << 21 }],
                Unified = new() { ["memory.high"] = "max" },
            },
            Sysctl = new() { ["net.ipv4.ip_forward"] = "1" },
            Seccomp = new LinuxSeccomp
            {
                DefaultAction = "SCMP_ACT_ERRNO",
                DefaultErrnoRet = 1,
                Architectures = ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86"],
                Flags = ["SECCOMP_FILTER_FLAG_LOG"],
                Syscalls =
                [
                    new LinuxSyscall
                    {
                        Names = ["personality"], Action = "SCMP_ACT_ALLOW", ErrnoRet = 38,
                        Args = [new LinuxSeccompArg { Index = 0, Value = 8, ValueTwo = 8, Op = "SCMP_CMP_MASKED_EQ" }],
                    },
                ],
            },
            RootfsPropagation = "rslave",
            MaskedPaths = ["/proc/kcore"],
            ReadonlyPaths = ["/proc/sys"],
            MountLabel = "system_u:object_r:container_file_t:s0",
        },
    };
}
