namespace CriO.Server.Config;

/// <summary>One [crio.runtime.runtimes.NAME] table: an OCI runtime the kubelet can pick by RuntimeClass.</summary>
public sealed class RuntimeHandlerSettings
{
    // Empty: the binary named like the handler, looked up on PATH when it is used.
    public string RuntimePath { get; set; } = "";
    public string RuntimeType { get; set; } = "oci";
    public string RuntimeRoot { get; set; } = "";
    public string RuntimeConfigPath { get; set; } = "";
    // Empty: the daemon's [crio.runtime] conmon, else our monitor installed beside crio.
    public string MonitorPath { get; set; } = "";
    public string MonitorCgroup { get; set; } = "pod";
    public string MonitorExecCgroup { get; set; } = "";
    public IReadOnlyList<string> MonitorEnv { get; set; } = ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"];
    public IReadOnlyList<string> AllowedAnnotations { get; set; } = [];
    public bool PrivilegedWithoutHostDevices { get; set; }
    public string ContainerMinMemory { get; set; } = "";
    public bool NoSyncLog { get; set; }
    public bool StreamWebsockets { get; set; }
}
