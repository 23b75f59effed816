using CriO.Image.Reference;

namespace CriO.Image.Registries;

/// <summary>
/// One place to try when pulling: the reference rewritten to a mirror or to the registry's
/// location. The image keeps the name the user gave; this is only where its bytes come from.
/// </summary>
/// <param name="Reference">The physical reference to ask that registry for.</param>
/// <param name="Insecure">Plain HTTP and unverified TLS are allowed for this endpoint.</param>
/// <param name="IsMirror">False for the primary location, which is always tried last.</param>
public sealed record PullSource(ImageReference Reference, bool Insecure, bool IsMirror);
