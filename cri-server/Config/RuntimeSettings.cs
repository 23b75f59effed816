namespace CriO.Server.Config;

/// <summary>[crio.runtime]: how containers are run, and the runtime handlers.</summary>
public sealed class RuntimeSettings
{
    public string DefaultRuntime { get; set; } = "runc";
    public string Conmon { get; set; } = "";
    public string ConmonCgroup { get; set; } = "";
    public IReadOnlyList<string> ConmonEnv { get; set; } = [];
    public IReadOnlyList<string> DefaultEnv { get; set; } = [];
    public bool Selinux { get; set; }
    public string SeccompProfile { get; set; } = "";
    public string ApparmorProfile { get; set; } = "crio-default";
    public string CgroupManager { get; set; } = CgroupManagers.Detect();
    public IReadOnlyList<string> DefaultCapabilities { get; set; } =
        ["CHOWN", "DAC_OVERRIDE", "FSETID", "FOWNER", "SETGID", "SETUID", "SETPCAP", "NET_BIND_SERVICE", "KILL"];
    public IReadOnlyList<string> DefaultSysctls { get; set; } = [];
    public IReadOnlyList<string> DefaultUlimits { get; set; } = [];
    public IReadOnlyList<string> AllowedDevices { get; set; } = ["/dev/fuse", "/dev/net/tun"];
    public IReadOnlyList<string> AdditionalDevices { get; set; } = [];
    public bool DeviceOwnershipFromSecurityContext { get; set; }
    public IReadOnlyList<string> HooksDir { get; set; } = ["/usr/share/containers/oci/hooks.d"];
    // -1 means unlimited, as in CRI-O.
    public long LogSizeMax { get; set; } = -1;
    public bool LogToJournald { get; set; }
    public string ContainerExitsDir { get; set; } = "/var/run/crio/exits";
    public string ContainerAttachSocketDir { get; set; } = "/var/run/crio";
    public string BindMountPrefix { get; set; } = "";
    public bool ReadOnly { get; set; }
    public string LogLevel { get; set; } = "info";
    public string LogFilter { get; set; } = "";
    public long CtrStopTimeout { get; set; } = 30;
    public bool DropInfraCtr { get; set; } = true;
    public string InfraCtrCpuset { get; set; } = "";
    public string NamespacesDir { get; set; } = "/var/run";
    public string PinnsPath { get; set; } = "";
    public bool EnableCriuSupport { get; set; }
    public string Timezone { get; set; } = "";
    public IReadOnlyList<string> AbsentMountSourcesToReject { get; set; } = [];

    /// <summary>[crio.runtime.runtimes.NAME], by name. runc and crun are there by default.</summary>
    public SortedDictionary<string, RuntimeHandlerSettings> Runtimes { get; } = new(StringComparer.Ordinal)
    {
        ["runc"] = new RuntimeHandlerSettings { RuntimeRoot = "/run/runc" },
        ["crun"] = new RuntimeHandlerSettings { RuntimeRoot = "/run/crun" },
    };
}
