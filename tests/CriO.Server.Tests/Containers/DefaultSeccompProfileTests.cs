using CriO.Server.Containers.Spec;

namespace CriO.Server.Tests.Containers;

public sealed class DefaultSeccompProfileTests
{
    internal static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Join(dir.FullName, "CriO.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("repository root not found");
    }

    /// <summary>The manifest operators point seccomp_profile at is the built-in profile. CRIO_WRITE_MANIFESTS=1 rewrites it.</summary>
    [Fact]
    public void Manifest_matches_the_built_in_profile()
    {
        var path = Path.Join(RepoRoot(), "manifests", "seccomp", "default.json");
        var expected = DefaultSeccompProfile.Create().ToJson() + "\n";
        if (Environment.GetEnvironmentVariable("CRIO_WRITE_MANIFESTS") == "1")
        {
            File.WriteAllText(path, expected);
        }

        Assert.Equal(expected, File.ReadAllText(path));
        Assert.Equal(expected, SeccompProfile.Load(path, "test").ToJson() + "\n");
    }

    [Fact]
    public void Rules_follow_capabilities_and_architecture()
    {
        var profile = DefaultSeccompProfile.Create();
        var plain = profile.ToOci(["CAP_CHOWN"], "amd64", "SCMP_ARCH_X86_64");
        Assert.Equal(["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"], plain.Architectures);
        Assert.Contains(plain.Syscalls!, s => s.Names.Contains("arch_prctl"));
        Assert.DoesNotContain(plain.Syscalls!, s => s.Names.Contains("ptrace"));
        Assert.Contains(plain.Syscalls!, s => s.Names.SequenceEqual(["clone3"]) && s.ErrnoRet == 38);
        Assert.Contains(plain.Syscalls!, s => s.Names.SequenceEqual(["clone"]) && s.Args![0].Op == "SCMP_CMP_MASKED_EQ" && s.Args[0].Index == 0);

        var arm = profile.ToOci(["CAP_SYS_PTRACE", "CAP_SYS_ADMIN"], "arm64", "SCMP_ARCH_AARCH64");
        Assert.Equal(["SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"], arm.Architectures);
        Assert.DoesNotContain(arm.Syscalls!, s => s.Names.Contains("arch_prctl"));
        Assert.Contains(arm.Syscalls!, s => s.Names.Contains("ptrace"));
        Assert.DoesNotContain(arm.Syscalls!, s => s.Names.SequenceEqual(["clone3"]) && s.Action == "SCMP_ACT_ERRNO");
    }
}
