using CriO.Cri;
using CriO.Server.Containers;
using CriO.Server.Errors;

namespace CriO.Server.Tests.Containers;

/// <summary>CreateContainer's checks of the config alone, made before any storage or mount exists.</summary>
public sealed class ContainerConfigValidationTests
{
    private static ContainerConfig Config(LinuxContainerSecurityContext security) => new()
    {
        Metadata = new ContainerMetadata { Name = "app" },
        Image = new ImageSpec { Image = "quay.io/team/app:1" },
        Linux = new LinuxContainerConfig { SecurityContext = security },
    };

    [Fact]
    public void Run_as_group_without_run_as_user_or_run_as_username_is_invalid_argument_naming_it()
    {
        var refused = Assert.Throws<InvalidArgumentException>(() =>
            ContainerManager.Validate(Config(new LinuxContainerSecurityContext { RunAsGroup = new Int64Value { Value = 2000 } })));

        Assert.Contains("run_as_group", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_as_group_with_a_user_by_uid_or_by_name_is_accepted()
    {
        ContainerManager.Validate(Config(new LinuxContainerSecurityContext { RunAsGroup = new Int64Value { Value = 2000 }, RunAsUser = new Int64Value { Value = 0 } }));
        ContainerManager.Validate(Config(new LinuxContainerSecurityContext { RunAsGroup = new Int64Value { Value = 2000 }, RunAsUsername = "app" }));
        ContainerManager.Validate(Config(new LinuxContainerSecurityContext()));
    }
}
