namespace CriO.Image.Registry;

/// <summary>
/// Where and how to reach one registry: host[:port], whether it is insecure (TLS not verified,
/// and plain HTTP allowed as a fallback, as containers/image does for insecure registries), and
/// the certs.d root where per-registry CAs and client certificates live.
/// </summary>
public sealed record RegistryEndpoint(string Host, bool Insecure = false, string CertsRoot = "/etc/containers/certs.d")
{
    /// <summary>docker.io names the Hub; its registry API is served from registry-1.docker.io.</summary>
    public string ApiHost => Host == "docker.io" ? "registry-1.docker.io" : Host;

    public string CertsDirectory => Path.Combine(CertsRoot, Host);
}
