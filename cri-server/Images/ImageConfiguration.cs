using CriO.Image.Policy;
using CriO.Image.Registries;
using CriO.Server.Daemon;

namespace CriO.Server.Images;

/// <summary>
/// Where the image configuration files are, and reading them. They are read on each use
/// (they are small), so an edit takes effect at the next pull without a restart.
/// </summary>
public sealed class ImageConfiguration(DaemonState daemon)
{
    public const string DefaultRegistriesConf = "/etc/containers/registries.conf";
    public const string DefaultRegistriesConfDirectory = "/etc/containers/registries.conf.d";
    public const string DefaultPolicy = "/etc/containers/policy.json";

    /// <summary>CONTAINERS_REGISTRIES_CONF, as containers/image honours it; its drop-ins then sit beside it in FILE.d.</summary>
    public static (string File, string DropIns) RegistriesPaths() =>
        Environment.GetEnvironmentVariable("CONTAINERS_REGISTRIES_CONF") is { Length: > 0 } file
            ? (file, file + ".d")
            : (DefaultRegistriesConf, DefaultRegistriesConfDirectory);

    public RegistriesConfig Registries()
    {
        var (file, dropIns) = RegistriesPaths();
        return File.Exists(file) || Directory.Exists(dropIns) ? RegistriesConfig.Load(file, dropIns) : RegistriesConfig.Empty;
    }

    public SignaturePolicy Policy()
    {
        var configured = daemon.Config.Image.SignaturePolicy;
        var path = configured.Length > 0 ? configured : DefaultPolicy;
        return configured.Length > 0 || File.Exists(path) ? SignaturePolicy.Load(path) : SignaturePolicy.Default;
    }

    public string AuthFile() => daemon.Config.Image.GlobalAuthFile;
}
