namespace CriO.Cni;

/// <summary>The <c>dns</c> object of a CNI result.</summary>
public sealed record CniDnsResult(IReadOnlyList<string> Nameservers, string? Domain, IReadOnlyList<string> Search, IReadOnlyList<string> Options);
