namespace CriO.Pinns;

/// <summary>A command line pinns does not accept (exit code 2); nothing has been done yet.</summary>
internal sealed class UsageException(string message) : Exception(message);
