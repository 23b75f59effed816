namespace CriO.Cni;

/// <summary>
/// What an ADD through the network's plugin list produced: the final plugin's result, parsed,
/// and its JSON as the plugin wrote it (also what the result cache holds).
/// </summary>
/// <param name="NetworkName">The network the pod was attached to.</param>
/// <param name="Ips">Addresses of both families, in the plugin's order (PodSandboxStatus takes the first as the pod IP).</param>
/// <param name="Interfaces">Interfaces the plugins made or touched, host side and sandbox side.</param>
/// <param name="Routes">Routes the plugins set up inside the sandbox.</param>
/// <param name="Dns">Resolver settings the plugins returned, if any.</param>
/// <param name="ResultJson">The raw result.</param>
public sealed record PodNetworkStatus(
    string NetworkName,
    IReadOnlyList<CniIpConfig> Ips,
    IReadOnlyList<CniInterface> Interfaces,
    IReadOnlyList<CniRoute> Routes,
    CniDnsResult? Dns,
    string ResultJson);
