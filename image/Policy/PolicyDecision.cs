namespace CriO.Image.Policy;

/// <summary>An allowed pull, and which policy scope allowed it (for the log).</summary>
/// <param name="Scope"><c>default</c>, <c>transports.docker[""]</c> or <c>transports.docker["…"]</c>.</param>
/// <param name="Source">The policy file.</param>
public sealed record PolicyDecision(string Scope, string Source);
