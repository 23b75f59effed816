namespace CriO.Cni;

/// <summary>One route of a CNI result (<c>routes[]</c>).</summary>
/// <param name="Dst">Destination in CIDR form, e.g. <c>0.0.0.0/0</c>.</param>
/// <param name="Gw">Next hop; null: the default gateway of the address.</param>
public sealed record CniRoute(string Dst, string? Gw);
