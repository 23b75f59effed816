namespace CriO.Server.Play;

/// <summary>
/// A manifest crio play cannot run as written: not a Pod, an unsupported field or volume type,
/// a missing image. The message names the field and why; nothing was created when it is thrown.
/// </summary>
public sealed class ManifestException(string message, Exception? inner = null) : Exception(message, inner);
