using CriO.Cri;
using CriO.Image.Oci;
using CriO.Oci.Spec;
using CriO.Server.Containers.Spec;
using CriO.Server.Errors;
using CriO.Server.Sandbox;

namespace CriO.Server.Tests.Containers;

public sealed partial class ContainerSpecBuilderTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("crio-spec-").FullName;
    private readonly string _rootfs;

    public ContainerSpecBuilderTests()
    {
        _rootfs = Path.Join(_root, "rootfs");
        Directory.CreateDirectory(Path.Join(_rootfs, "etc"));
        File.WriteAllText(Path.Join(_rootfs, "etc/passwd"), "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534::/:/bin/false\napp:x:1000:1000::/home/app:/bin/sh\n");
        File.WriteAllText(Path.Join(_rootfs, "etc/group"), "root:x:0:\nwheel:x:10:app,other\napp:x:1000:\ndocker:x:999:app\nnogroup:x:65534:\n");
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private ContainerSpecInput Input(ContainerConfig? config = null, PodSandboxRecord? pod = null, OciImageConfig? image = null, string manager = "cgroupfs", Func<string, int>? target = null, ContainerSpecDefaults? defaults = null) => new(
        "c0ffee",
        config ?? new ContainerConfig { Metadata = new ContainerMetadata { Name = "app", Attempt = 1 }, Command = { "/bin/sh" }, LogPath = "app/1.log" },
        new PodSandboxConfig { Metadata = new PodSandboxMetadata { Name = "web", Namespace = "default", Uid = "u1", Attempt = 0 } },
        pod ?? new PodSandboxRecord
        {
            Id = "pod1", Name = "k8s_web_default_u1_0", Config = "", RuntimeHandler = "runc", CreatedAt = 0, Hostname = "web",
            NetNamespace = "/var/run/netns/n1", IpcNamespace = "/var/run/ipcns/i1", UtsNamespace = "/var/run/utsns/u1", PausePid = 4242,
            CgroupParent = "/kubepods/besteffort/podu1",
        },
        image,
        "docker.io/library/busybox:latest",
        _rootfs,
        manager,
        defaults ?? Defaults,
        TargetPid: target);

    private static readonly ContainerSpecDefaults Defaults = new(["CHOWN", "KILL", "NET_BIND_SERVICE"], [], [], "", Capabilities.Known);

    private static ContainerConfig Config(Action<ContainerConfig>? edit = null)
    {
        var config = new ContainerConfig
        {
            Metadata = new ContainerMetadata { Name = "app" },
            Command = { "/bin/sh" },
            Linux = new LinuxContainerConfig { SecurityContext = new LinuxContainerSecurityContext() },
        };
        edit?.Invoke(config);
        return config;
    }

    public static TheoryData<string[], string[], string[]?, string[]?, string[]> ArgsCases => new()
    {
        { [], [], ["/ep"], ["c1"], ["/ep", "c1"] },
        { ["/cmd"], [], ["/ep"], ["c1"], ["/cmd"] },
        { [], ["a1"], ["/ep"], ["c1"], ["/ep", "a1"] },
        { ["/cmd"], ["a1"], ["/ep"], ["c1"], ["/cmd", "a1"] },
        { [], [], null, ["sh", "-c", "x"], ["sh", "-c", "x"] },
        { [], ["a1"], null, ["c1"], ["a1"] },
    };

    [Theory]
    [MemberData(nameof(ArgsCases))]
    public void Args_follow_the_kubelet_rules(string[] command, string[] args, string[]? entrypoint, string[]? cmd, string[] expected) =>
        Assert.Equal(expected, ContainerSpecBuilder.ResolveArgs(command, args, entrypoint, cmd));

    [Fact]
    public void No_command_anywhere_is_invalid_argument() =>
        Assert.Throws<InvalidArgumentException>(() => ContainerSpecBuilder.ResolveArgs([], [], null, null));

    [Fact]
    public void Env_merges_image_then_kubelet_with_path_and_hostname()
    {
        var env = ContainerSpecBuilder.MergeEnv(["A=image", "B=image"], [KeyValuePair.Create("B", "cri"), KeyValuePair.Create("C", "x=y")], "web");
        Assert.Equal(["A=image", "B=cri", "C=x=y", ContainerSpecBuilder.DefaultPath, "HOSTNAME=web"], env);
        var withPath = ContainerSpecBuilder.MergeEnv(["PATH=/bin"], [], "");
        Assert.Equal(["PATH=/bin"], withPath);
    }

    [Fact]
    public void Cwd_is_cri_then_image_then_root()
    {
        var image = new OciImageConfig { Config = new OciContainerConfig { WorkingDir = "/img", Cmd = ["x"] } };
        Assert.Equal("/img", ContainerSpecBuilder.Build(Input(Config(), image: image)).Process!.Cwd);
        Assert.Equal("/cri", ContainerSpecBuilder.Build(Input(Config(c => c.WorkingDir = "/cri"), image: image)).Process!.Cwd);
        Assert.Equal("/", ContainerSpecBuilder.Build(Input(Config())).Process!.Cwd);
    }

    [Theory]
    [InlineData("", 0u, 0u, new uint[] { 0 })]
    [InlineData("app", 1000u, 1000u, new uint[] { 1000, 10, 999 })]
    [InlineData("1000", 1000u, 1000u, new uint[] { 1000, 10, 999 })]
    [InlineData("app:wheel", 1000u, 10u, new uint[] { 10, 999 })]
    [InlineData("1234:5678", 1234u, 5678u, new uint[] { 5678 })]
    [InlineData("nobody", 65534u, 65534u, new uint[] { 65534 })]
    public void Image_user_resolves_in_the_rootfs(string user, uint uid, uint gid, uint[] additional)
    {
        var resolved = ContainerSpecBuilder.ResolveUser(_rootfs, new LinuxContainerSecurityContext(), user);
        Assert.Equal((uid, gid), (resolved.Uid, resolved.Gid));
        Assert.Equal(additional, resolved.AdditionalGids);
    }

    [Fact]
    public void Security_context_user_wins_and_supplemental_groups_follow_the_policy()
    {
        var merge = new LinuxContainerSecurityContext { RunAsUser = new Int64Value { Value = 1000 }, RunAsGroup = new Int64Value { Value = 2000 }, SupplementalGroups = { 3000 } };
        var user = ContainerSpecBuilder.ResolveUser(_rootfs, merge, "nobody");
        Assert.Equal((1000u, 2000u), (user.Uid, user.Gid));
        Assert.Equal([2000u, 10, 999, 3000], user.AdditionalGids);

        var strict = merge.Clone();
        strict.SupplementalGroupsPolicy = SupplementalGroupsPolicy.Strict;
        Assert.Equal([2000u, 3000], ContainerSpecBuilder.ResolveUser(_rootfs, strict, null).AdditionalGids);

        var byName = new LinuxContainerSecurityContext { RunAsUsername = "app" };
        Assert.Equal(1000u, ContainerSpecBuilder.ResolveUser(_rootfs, byName, null).Uid);
    }

    [Fact]
    public void Unknown_user_or_group_is_invalid_argument_naming_it()
    {
        var e = Assert.Throws<InvalidArgumentException>(() => ContainerSpecBuilder.ResolveUser(_rootfs, new LinuxContainerSecurityContext(), "ghost"));
        Assert.Contains("ghost", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<InvalidArgumentException>(() => ContainerSpecBuilder.ResolveUser(_rootfs, new LinuxContainerSecurityContext { RunAsUsername = "spook" }, null));
        Assert.Contains("spook", e.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidArgumentException>(() => ContainerSpecBuilder.ResolveUser(_rootfs, new LinuxContainerSecurityContext(), "app:nogrp"));
    }

    [Theory]
    [InlineData("absolute")]
    [InlineData("dotdot")]
    public void A_passwd_symlink_never_leads_to_the_host(string kind)
    {
        // A "host" passwd with a marker user, outside the rootfs.
        var host = Path.Join(_root, "hostetc");
        Directory.CreateDirectory(host);
        File.WriteAllText(Path.Join(host, "passwd"), "marker:x:4711:4711::/:/bin/sh\n");
        File.Delete(Path.Join(_rootfs, "etc/passwd"));
        var target = kind == "absolute" ? Path.Join(host, "passwd") : "../../../../../../../../" + Path.Join(host, "passwd").TrimStart('/');
        File.CreateSymbolicLink(Path.Join(_rootfs, "etc/passwd"), target);

        Assert.Throws<InvalidArgumentException>(() => ContainerSpecBuilder.ResolveUser(_rootfs, new LinuxContainerSecurityContext(), "marker"));
    }

    [Fact]
    public void A_passwd_symlink_inside_the_root_is_followed_within_it()
    {
        File.Move(Path.Join(_rootfs, "etc/passwd"), Path.Join(_rootfs, "etc/passwd.real"));
        File.CreateSymbolicLink(Path.Join(_rootfs, "etc/passwd"), "/etc/passwd.real");
        Assert.Equal(1000u, ContainerSpecBuilder.ResolveUser(_rootfs, new LinuxContainerSecurityContext(), "app").Uid);
    }

    [Fact]
    public void Capabilities_add_drop_and_all()
    {
        string[] defaults = ["CHOWN", "KILL", "NET_BIND_SERVICE"];
        Assert.Equal(["CAP_CHOWN", "CAP_NET_BIND_SERVICE", "CAP_NET_ADMIN"], Capabilities.Apply(defaults, ["net_admin"], ["CAP_KILL"], Capabilities.Known));
        Assert.Equal(["CAP_NET_RAW"], Capabilities.Apply(defaults, ["NET_RAW"], ["ALL"], Capabilities.Known));
        Assert.Equal(Capabilities.Known.Where(c => c != "CAP_SYS_ADMIN"), Capabilities.Apply(defaults, ["ALL"], ["SYS_ADMIN"], Capabilities.Known));
        Assert.Throws<InvalidArgumentException>(() => Capabilities.Apply(defaults, ["CAP_BOGUS"], [], Capabilities.Known));
        Assert.Equal(["CAP_CHOWN", "CAP_DAC_OVERRIDE"], Capabilities.FromMask(0x3));
    }

    [Fact]
    public void Built_spec_carries_capabilities_and_masked_paths()
    {
        var spec = ContainerSpecBuilder.Build(Input(Config(c => c.Linux.SecurityContext.Capabilities = new Capability { AddCapabilities = { "SYS_TIME" }, DropCapabilities = { "KILL" } })));
        Assert.Equal(["CAP_CHOWN", "CAP_NET_BIND_SERVICE", "CAP_SYS_TIME"], spec.Process!.Capabilities!.Bounding);
        Assert.Equal(spec.Process.Capabilities.Bounding, spec.Process.Capabilities.Effective);
        Assert.Null(spec.Process.Capabilities.Inheritable);
        Assert.Equal(RuntimeSpecDefaults.MaskedPaths, spec.Linux!.MaskedPaths);

        var kubelet = ContainerSpecBuilder.Build(Input(Config(c => { c.Linux.SecurityContext.MaskedPaths.Add("/proc/x"); c.Linux.SecurityContext.ReadonlyPaths.Add("/proc/y"); })));
        Assert.Equal(["/proc/x"], kubelet.Linux!.MaskedPaths);
        Assert.Equal(["/proc/y"], kubelet.Linux.ReadonlyPaths);
    }

    [Fact]
    public void Privileged_gets_the_host_set_no_masks_no_seccomp_and_writable_sys()
    {
        var spec = ContainerSpecBuilder.Build(Input(Config(c => c.Linux.SecurityContext.Privileged = true)));
        Assert.Equal(Capabilities.Known, spec.Process!.Capabilities!.Bounding);
        Assert.Equal(Capabilities.Known, spec.Process.Capabilities.Permitted);
        Assert.Null(spec.Linux!.MaskedPaths);
        Assert.Null(spec.Linux.ReadonlyPaths);
        Assert.Null(spec.Linux.Seccomp);
        Assert.Contains("rw", spec.Mounts!.Single(m => m.Destination == "/sys").Options!);
        Assert.DoesNotContain("ro", spec.Mounts!.Single(m => m.Destination == "/sys").Options!);
        Assert.True(spec.Linux.Resources!.Devices!.Single().Allow);
    }

    [Fact]
    public void Readonly_rootfs_makes_root_and_pod_files_read_only()
    {
        var run = Path.Join(_root, "run");
        Directory.CreateDirectory(run);
        foreach (var f in new[] { PodFiles.HostsFile, PodFiles.ResolvConf, PodFiles.HostnameFile })
        {
            File.WriteAllText(Path.Join(run, f), "x\n");
        }

        var pod = Input().Pod with { RunDirectory = run, ShmPath = Path.Join(run, "shm") };
        var spec = ContainerSpecBuilder.Build(Input(Config(c => c.Linux.SecurityContext.ReadonlyRootfs = true), pod));
        Assert.True(spec.Root!.Readonly);
        var resolv = spec.Mounts!.Single(m => m.Destination == "/etc/resolv.conf");
        Assert.Equal(Path.Join(run, "resolv.conf"), resolv.Source);
        Assert.Contains("ro", resolv.Options!);
        Assert.Contains(spec.Mounts!, m => m.Destination == "/etc/hostname");
        var shm = spec.Mounts!.Single(m => m.Destination == "/dev/shm");
        Assert.Equal(Path.Join(run, "shm"), shm.Source);
        Assert.Equal("bind", shm.Type);

        var writable = ContainerSpecBuilder.Build(Input(Config(), pod));
        Assert.False(writable.Root!.Readonly);
        Assert.Contains("rw", writable.Mounts!.Single(m => m.Destination == "/etc/hosts").Options!);
    }

    [Fact]
    public void Cri_mounts_carry_propagation_and_replace_pod_files()
    {
        var a = Directory.CreateDirectory(Path.Join(_root, "a")).FullName;
        var missing = Path.Join(_root, "made", "later");
        var config = Config(c =>
        {
            c.Mounts.Add(new Mount { ContainerPath = "/data/sub", HostPath = a, Propagation = MountPropagation.PropagationBidirectional });
            c.Mounts.Add(new Mount { ContainerPath = "/data", HostPath = a, Readonly = true, Propagation = MountPropagation.PropagationHostToContainer });
            c.Mounts.Add(new Mount { ContainerPath = "/etc/hosts/", HostPath = a });
            c.Mounts.Add(new Mount { ContainerPath = "/new", HostPath = missing });
        });
        var spec = ContainerSpecBuilder.Build(Input(config));
        var data = spec.Mounts!.Single(m => m.Destination == "/data");
        Assert.Equal(["rbind", "rslave", "ro"], data.Options);
        Assert.Equal(["rbind", "rshared", "rw"], spec.Mounts!.Single(m => m.Destination == "/data/sub").Options);
        Assert.True(spec.Mounts!.FindIndex(m => m.Destination == "/data") < spec.Mounts!.FindIndex(m => m.Destination == "/data/sub"));
        Assert.Equal(["rbind", "rprivate", "rw"], spec.Mounts!.Single(m => m.Destination == "/etc/hosts").Options);
        Assert.Equal("rshared", spec.Linux!.RootfsPropagation);
        Assert.True(Directory.Exists(missing));
        Assert.Contains("/data/sub", spec.Annotations![ContainerSpecBuilder.Keys.Volumes], StringComparison.Ordinal);
    }

    [Fact]
    public void Rejected_absent_source_and_relative_paths_are_invalid_argument()
    {
        var missing = Path.Join(_root, "nope");
        var input = Input(Config(c => c.Mounts.Add(new Mount { ContainerPath = "/x", HostPath = missing })));
        input = input with { Defaults = input.Defaults with { AbsentMountSourcesToReject = [missing] } };
        var e = Assert.Throws<InvalidArgumentException>(() => ContainerSpecBuilder.Build(input));
        Assert.Contains(missing, e.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidArgumentException>(() => ContainerSpecBuilder.Build(Input(Config(c => c.Mounts.Add(new Mount { ContainerPath = "rel", HostPath = _root })))));
        Assert.Throws<InvalidArgumentException>(() => ContainerSpecBuilder.Build(Input(Config(c => c.Mounts.Add(new Mount { ContainerPath = "/x/../..", HostPath = _root })))));
    }

    [Fact]
    public void Image_volumes_bind_folders_of_the_container_unless_a_cri_mount_covers_them()
    {
        var image = new OciImageConfig { Config = new OciContainerConfig { Cmd = ["x"], Volumes = new() { ["/var/lib/db"] = null, ["/covered"] = null } } };
        var input = Input(Config(c => c.Mounts.Add(new Mount { ContainerPath = "/covered", HostPath = _root })), image: image) with { ContainerDirectory = Path.Join(_root, "userdata") };
        var spec = ContainerSpecBuilder.Build(input);
        var db = spec.Mounts!.Single(m => m.Destination == "/var/lib/db");
        Assert.StartsWith(Path.Join(_root, "userdata", "volumes"), db.Source, StringComparison.Ordinal);
        Assert.True(Directory.Exists(db.Source));
        Assert.Equal(_root, spec.Mounts!.Single(m => m.Destination == "/covered").Source);
    }

    [Theory]
    [InlineData(NamespaceMode.Container, "")]
    [InlineData(NamespaceMode.Pod, "/proc/4242/ns/pid")]
    [InlineData(NamespaceMode.Node, null)]
    [InlineData(NamespaceMode.Target, "/proc/777/ns/pid")]
    public void Pid_namespace_follows_the_mode(NamespaceMode mode, string? path)
    {
        var config = Config(c => c.Linux.SecurityContext.NamespaceOptions = new NamespaceOption { Pid = mode, TargetId = "tgt" });
        var spec = ContainerSpecBuilder.Build(Input(config, target: id => id == "tgt" ? 777 : throw new NotFoundException(id)));
        var pid = spec.Linux!.Namespaces!.SingleOrDefault(n => n.Type == "pid");
        if (path is null)
        {
            Assert.Null(pid);
        }
        else
        {
            Assert.NotNull(pid);
            Assert.Equal(path.Length == 0 ? null : path, pid.Path);
        }

        Assert.Contains(spec.Linux.Namespaces!, n => n.Type == "mount" && n.Path is null);
        Assert.Contains(spec.Linux.Namespaces!, n => n.Type == "network" && n.Path == "/var/run/netns/n1");
        Assert.Contains(spec.Linux.Namespaces!, n => n.Type == "ipc" && n.Path == "/var/run/ipcns/i1");
        Assert.Contains(spec.Linux.Namespaces!, n => n.Type == "uts" && n.Path == "/var/run/utsns/u1");
        Assert.Equal("web", spec.Hostname);
    }

    [Fact]
    public void Host_namespaces_are_not_joined_and_no_hostname_is_set()
    {
        var pod = Input().Pod with { NetNamespace = "", IpcNamespace = "", UtsNamespace = "" };
        var spec = ContainerSpecBuilder.Build(Input(Config(), pod));
        Assert.DoesNotContain(spec.Linux!.Namespaces!, n => n.Type is "network" or "ipc" or "uts");
        Assert.Null(spec.Hostname);
    }

    [Fact]
    public void Target_without_resolver_or_pause_less_pod_sharing_is_refused()
    {
        Assert.Throws<InvalidArgumentException>(() => ContainerSpecBuilder.Build(Input(Config(c => c.Linux.SecurityContext.NamespaceOptions = new NamespaceOption { Pid = NamespaceMode.Target, TargetId = "t" }))));
        var pod = Input().Pod with { PausePid = 0 };
        Assert.Throws<FailedPreconditionException>(() => ContainerSpecBuilder.Build(Input(Config(c => c.Linux.SecurityContext.NamespaceOptions = new NamespaceOption { Pid = NamespaceMode.Pod }), pod)));
    }

    [Fact]
    public void Cgroups_path_for_both_managers()
    {
        Assert.Equal("/kubepods/besteffort/podu1/crio-c0ffee", ContainerSpecBuilder.Build(Input(Config())).Linux!.CgroupsPath);
        var pod = Input().Pod with { CgroupParent = "kubepods-besteffort-podu1.slice" };
        Assert.Equal("kubepods-besteffort-podu1.slice:crio:c0ffee", ContainerSpecBuilder.Build(Input(Config(), pod, manager: "systemd")).Linux!.CgroupsPath);
        Assert.Equal("system.slice:crio:x", ContainerSpecBuilder.CgroupsPath("systemd", "", "x"));
    }

    [Fact]
    public void Resources_map_onto_the_cgroup_settings()
    {
        var spec = ContainerSpecBuilder.Build(Input(Config(c => c.Linux.Resources = new LinuxContainerResources
        {
            CpuShares = 512, CpuQuota = 50000, CpuPeriod = 100000, CpusetCpus = "0-1", CpusetMems = "0",
            MemoryLimitInBytes = 64 << 20, OomScoreAdj = 500, HugepageLimits = { new HugepageLimit { PageSize = "2MB", Limit = 4 << 20 } },
        })));
        var r = spec.Linux!.Resources!;
        Assert.Equal((512UL, 50000L, 100000UL, "0-1", "0"), (r.Cpu!.Shares!.Value, r.Cpu.Quota!.Value, r.Cpu.Period!.Value, r.Cpu.Cpus, r.Cpu.Mems));
        Assert.Equal(64L << 20, r.Memory!.Limit);
        Assert.Equal("2MB", r.HugepageLimits!.Single().PageSize);
        Assert.Equal(500, spec.Process!.OomScoreAdj);
        Assert.Throws<InvalidArgumentException>(() => ContainerSpecBuilder.Build(Input(Config(c => c.Linux.Resources = new LinuxContainerResources { OomScoreAdj = 5000 }))));
    }

    [Fact]
    public void Sysctls_and_ulimits()
    {
        var input = Input(Config());
        input.PodConfig.Linux = new LinuxPodSandboxConfig { Sysctls = { ["net.ipv4.ip_forward"] = "1" } };
        input = input with { Defaults = input.Defaults with { Sysctls = ["kernel.shm_rmid_forced=1"], Ulimits = ["nofile=1024:2048", "nproc=-1"] } };
        var spec = ContainerSpecBuilder.Build(input);
        Assert.Equal("1", spec.Linux!.Sysctl!["net.ipv4.ip_forward"]);
        Assert.Equal("1", spec.Linux.Sysctl["kernel.shm_rmid_forced"]);
        Assert.Equal(("RLIMIT_NOFILE", 1024UL, 2048UL), (spec.Process!.Rlimits![0].Type, spec.Process.Rlimits[0].Soft, spec.Process.Rlimits[0].Hard));
        Assert.Equal(ulong.MaxValue, spec.Process.Rlimits[1].Hard);

        var hostNet = input with { Pod = input.Pod with { NetNamespace = "" } };
        Assert.Throws<InvalidArgumentException>(() => ContainerSpecBuilder.Build(hostNet));
        input.PodConfig.Linux.Sysctls.Clear();
        input.PodConfig.Linux.Sysctls["kernel.panic"] = "1";
        Assert.Throws<InvalidArgumentException>(() => ContainerSpecBuilder.Build(input));
        Assert.Throws<InvalidArgumentException>(() => ContainerSpecBuilder.ParseUlimits(["nofile=9:1"]));
        Assert.Throws<InvalidArgumentException>(() => ContainerSpecBuilder.ParseUlimits(["bogus=1"]));
    }

    [Fact]
    public void Seccomp_runtime_default_unconfined_and_localhost()
    {
        var spec = ContainerSpecBuilder.Build(Input(Config(c => c.Linux.SecurityContext.Seccomp = new SecurityProfile { ProfileType = SecurityProfile.Types.ProfileType.RuntimeDefault })));
        var seccomp = spec.Linux!.Seccomp!;
        Assert.Equal(("SCMP_ACT_ERRNO", 1u), (seccomp.DefaultAction, seccomp.DefaultErrnoRet!.Value));
        var allowed = seccomp.Syscalls!.Where(s => s.Action == "SCMP_ACT_ALLOW" && s.Args is null).SelectMany(s => s.Names).ToHashSet();
        Assert.Contains("execve", allowed);
        Assert.DoesNotContain("unshare", allowed);
        Assert.DoesNotContain("mount", allowed);
        Assert.DoesNotContain("keyctl", allowed);
        Assert.DoesNotContain("add_key", allowed);
        Assert.Contains(SeccompProfile.NativeScmpArch, seccomp.Architectures!);

        var admin = ContainerSpecBuilder.Build(Input(Config(c =>
        {
            c.Linux.SecurityContext.Capabilities = new Capability { AddCapabilities = { "SYS_ADMIN" } };
            c.Linux.SecurityContext.Seccomp = new SecurityProfile { ProfileType = SecurityProfile.Types.ProfileType.RuntimeDefault };
        })));
        Assert.Contains(admin.Linux!.Seccomp!.Syscalls!, s => s.Names.Contains("unshare") && s.Action == "SCMP_ACT_ALLOW");

        var unconfined = ContainerSpecBuilder.Build(Input(Config(c => c.Linux.SecurityContext.Seccomp = new SecurityProfile { ProfileType = SecurityProfile.Types.ProfileType.Unconfined })));
        Assert.Null(unconfined.Linux!.Seccomp);

        var local = Path.Join(_root, "profile.json");
        File.WriteAllText(local, """{"defaultAction":"SCMP_ACT_LOG","architectures":["SCMP_ARCH_X86_64"],"syscalls":[{"names":["mkdir"],"action":"SCMP_ACT_ERRNO"}]}""");
        var localhost = ContainerSpecBuilder.Build(Input(Config(c => c.Linux.SecurityContext.Seccomp = new SecurityProfile { ProfileType = SecurityProfile.Types.ProfileType.Localhost, LocalhostRef = local })));
        Assert.Equal("SCMP_ACT_LOG", localhost.Linux!.Seccomp!.DefaultAction);
        Assert.Equal(["mkdir"], localhost.Linux.Seccomp.Syscalls!.Single().Names);
        Assert.Throws<InvalidArgumentException>(() => ContainerSpecBuilder.Build(Input(Config(c => c.Linux.SecurityContext.Seccomp = new SecurityProfile { ProfileType = SecurityProfile.Types.ProfileType.Localhost, LocalhostRef = local + ".none" }))));
    }

    /// <summary>
    /// Regression: a container that named no profile ran under RuntimeDefault (CRI-O's removed
    /// seccomp_use_default_when_empty); the CRI, and CRI-O since 1.30, run it unconfined.
    /// </summary>
    [Theory]
#pragma warning disable CS0612 // The deprecated field still comes from older kubelets.
    [InlineData("", false, "")]
    [InlineData("unconfined", false, "unconfined")]
    [InlineData("runtime/default", true, "runtime/default")]
    [InlineData("docker/default", true, "docker/default")]
    public void No_seccomp_profile_is_unconfined_and_the_deprecated_path_is_read_only_when_it_names_one(string path, bool filtered, string annotation)
    {
        var spec = ContainerSpecBuilder.Build(Input(Config(c => c.Linux.SecurityContext.SeccompProfilePath = path)));
#pragma warning restore CS0612

        Assert.Equal(filtered, spec.Linux!.Seccomp is not null);
        Assert.Equal(annotation, spec.Annotations![ContainerSpecBuilder.Keys.SeccompProfilePath]);
    }

    [Fact]
    public void Annotations_carry_crio_state_keys()
    {
        var config = Config(c =>
        {
            c.Metadata.Attempt = 2;
            c.LogPath = "app/2.log";
            c.Labels["l"] = "v";
            c.Annotations["io.kubernetes.container.hash"] = "abc";
            c.Annotations[ContainerSpecBuilder.Keys.ContainerId] = "forged";
            c.Tty = true;
        });
        var a = ContainerSpecBuilder.Build(Input(config)).Annotations!;
        Assert.Equal("c0ffee", a[ContainerSpecBuilder.Keys.ContainerId]);
        Assert.Equal("k8s_app_web_default_u1_2", a[ContainerSpecBuilder.Keys.Name]);
        Assert.Equal("pod1", a[ContainerSpecBuilder.Keys.SandboxId]);
        Assert.Equal("k8s_web_default_u1_0", a[ContainerSpecBuilder.Keys.SandboxName]);
        Assert.Equal("docker.io/library/busybox:latest", a[ContainerSpecBuilder.Keys.ImageName]);
        Assert.Equal("""{"l":"v"}""", a[ContainerSpecBuilder.Keys.Labels]);
        Assert.Equal("""{"name":"app","attempt":2}""", a[ContainerSpecBuilder.Keys.Metadata]);
        Assert.Equal("app/2.log", a[ContainerSpecBuilder.Keys.LogPath]);
        Assert.Equal("true", a[ContainerSpecBuilder.Keys.Tty]);
        Assert.Equal("abc", a["io.kubernetes.container.hash"]);
        Assert.Equal("cri-o", a["io.container.manager"]);
        Assert.Equal(("app", "web", "default", "u1"), (a["io.kubernetes.container.name"], a["io.kubernetes.pod.name"], a["io.kubernetes.pod.namespace"], a["io.kubernetes.pod.uid"]));
    }

    [Fact]
    public void Built_spec_round_trips_through_OciJson()
    {
        var spec = ContainerSpecBuilder.Build(Input(Config(c => c.Linux.Resources = new LinuxContainerResources { CpuShares = 2, MemoryLimitInBytes = 1 << 20 })));
        var json = OciJson.Serialize(spec);
        Assert.Equal(json, OciJson.Serialize(OciJson.Deserialize(json)));
        Assert.Contains("\"ociVersion\": \"1.0.2\"", json, StringComparison.Ordinal);
    }
}
