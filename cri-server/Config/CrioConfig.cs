namespace CriO.Server.Config;

/// <summary>
/// The daemon's effective configuration, one property per CRI-O key. Sections mirror CRI-O's
/// TOML tables so that a CRI-O user finds every key where they expect it. Values start at the
/// defaults below and are overwritten by /etc/crio/crio.conf, then each drop-in, then flags.
/// </summary>
public sealed class CrioConfig
{
    // [crio]
    public string Root { get; set; } = "/var/lib/containers/storage";
    public string RunRoot { get; set; } = "/run/containers/storage";
    public string StorageDriver { get; set; } = "overlay";
    public IReadOnlyList<string> StorageOptions { get; set; } = [];
    public string LogDir { get; set; } = "/var/log/crio/pods";
    public string VersionFile { get; set; } = "/var/run/crio/version";
    public string VersionFilePersist { get; set; } = "";
    public string CleanShutdownFile { get; set; } = "/var/lib/crio/clean.shutdown";
    public bool InternalWipe { get; set; } = true;
    public bool InternalRepair { get; set; } = true;

    public ApiSettings Api { get; } = new();
    public RuntimeSettings Runtime { get; } = new();
    public ImageSettings Image { get; } = new();
    public NetworkSettings Network { get; } = new();
    public MetricsSettings Metrics { get; } = new();
    public TracingSettings Tracing { get; } = new();
    public StatsSettings Stats { get; } = new();
}
