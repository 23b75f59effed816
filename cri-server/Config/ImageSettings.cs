namespace CriO.Server.Config;

/// <summary>[crio.image]: registries, the pause image, pull behaviour.</summary>
public sealed class ImageSettings
{
    public string DefaultTransport { get; set; } = "docker://";
    public string GlobalAuthFile { get; set; } = "";
    public string PauseImage { get; set; } = "registry.k8s.io/pause:3.10";
    public string PauseImageAuthFile { get; set; } = "";
    public string PauseCommand { get; set; } = "/pause";
    public IReadOnlyList<string> PinnedImages { get; set; } = [];
    public string SignaturePolicy { get; set; } = "";
    public string SignaturePolicyDir { get; set; } = "/etc/crio/policies";
    public IReadOnlyList<string> InsecureRegistries { get; set; } = [];
    public IReadOnlyList<string> Registries { get; set; } = [];
    public string ImageVolumes { get; set; } = "mkdir";
    public string BigFilesTemporaryDir { get; set; } = "";
    // A Go duration; "0s" turns the no-progress guard off.
    public string ImagePullProgressTimeout { get; set; } = "0s";
    public string ShortNameMode { get; set; } = "enforcing";
}
