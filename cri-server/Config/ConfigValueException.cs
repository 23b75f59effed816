namespace CriO.Server.Config;

/// <summary>A value that does not fit its key; the loader adds the file and key to the message.</summary>
public sealed class ConfigValueException(string reason) : Exception(reason);
