namespace CriO.TestImages;

/// <summary>
/// What a test image is made of: its layers (bottom first) and the config fields tests care
/// about. <see cref="OciLayout.AddImage"/> turns it into blobs, a config and a manifest.
/// </summary>
public sealed record TestImage
{
    public required IReadOnlyList<TestLayer> Layers { get; init; }

    public string Architecture { get; init; } = "amd64";

    public string Os { get; init; } = "linux";

    public string? Variant { get; init; }

    public IReadOnlyList<string> Entrypoint { get; init; } = [];

    public IReadOnlyList<string> Cmd { get; init; } = ["/bin/sh"];

    public IReadOnlyList<string> Env { get; init; } = ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"];

    public string User { get; init; } = "";

    public string WorkingDir { get; init; } = "";

    public string? StopSignal { get; init; }

    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    public IReadOnlyList<string> Volumes { get; init; } = [];
}
