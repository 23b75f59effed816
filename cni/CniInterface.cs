namespace CriO.Cni;

/// <summary>One interface of a CNI result (<c>interfaces[]</c>).</summary>
/// <param name="Name">Interface name.</param>
/// <param name="Mac">Hardware address, if the plugin gave one.</param>
/// <param name="Sandbox">The network namespace path for sandbox-side interfaces; null for host-side ones (the bridge, the host veth).</param>
public sealed record CniInterface(string Name, string? Mac, string? Sandbox);
