namespace CriO.Storage.Store;

/// <summary>The change would break the store's rules: an object in use, a name or ID already taken.</summary>
public sealed class StoreConflictException(string message) : Exception(message);
