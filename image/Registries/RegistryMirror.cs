namespace CriO.Image.Registries;

/// <summary>One <c>[[registry.mirror]]</c>: another location for the prefix's namespace, tried before the primary.</summary>
/// <param name="Location">host[:port][/namespace…]; the reference's part after the prefix is appended to it.</param>
/// <param name="Insecure">Plain HTTP and unverified TLS are allowed for this mirror.</param>
/// <param name="PullFromMirror">Which references (by tag, by digest) this mirror may serve.</param>
public sealed record RegistryMirror(string Location, bool Insecure, PullFromMirror PullFromMirror);
