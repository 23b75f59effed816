namespace CriO.Cni;

/// <summary>The pod's resolver settings, as the <c>dns</c> capability carries them to plugins that declare it.</summary>
public sealed record DnsSettings(IReadOnlyList<string> Servers, IReadOnlyList<string> Searches, IReadOnlyList<string> Options);
