using System.Diagnostics;

namespace CriO.Storage.Store;

/// <summary>
/// The store's trace source: spans for the steps that touch the disk at length (a layer
/// applied, a container's layer and folders created), children of whatever RPC asked.
/// </summary>
public static class StorageActivitySource
{
    public const string Name = "CriO.Storage";

    public static ActivitySource Instance { get; } = new(Name);
}
