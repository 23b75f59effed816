namespace CriO.Server.Daemon;

/// <summary>
/// What the whole daemon shares at run time: the configuration in force (replaced on SIGHUP),
/// whether start-up is done, and what the kubelet told us through UpdateRuntimeConfig.
/// </summary>
public sealed class DaemonState(Config.CrioConfig config)
{
    private volatile Config.CrioConfig _config = config;
    private volatile bool _ready;
    private volatile string _podCidr = "";

    public Config.CrioConfig Config => _config;

    /// <summary>False until start-up is done; RPCs answer Unavailable before.</summary>
    public bool IsReady => _ready;

    public string PodCidr => _podCidr;

    public void MarkReady() => _ready = true;

    public void ReplaceConfig(Config.CrioConfig config) => _config = config;

    public void SetPodCidr(string podCidr) => _podCidr = podCidr;
}
