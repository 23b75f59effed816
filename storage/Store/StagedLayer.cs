using CriO.Storage.Archive;

namespace CriO.Storage.Store;

/// <summary>
/// A layer applied into a staging folder but not yet in the store: nothing else can see it.
/// <see cref="LayerStore.CommitStaged"/> moves it in; disposing an uncommitted one removes it.
/// </summary>
public sealed class StagedLayer : IDisposable
{
    internal StagedLayer(string folder, LayerApplyResult result)
    {
        Folder = folder;
        Result = result;
    }

    public LayerApplyResult Result { get; }

    internal string Folder { get; }

    internal string Diff => Path.Combine(Folder, "diff");

    internal string TarSplit => Path.Combine(Folder, "tar-split.gz");

    public void Dispose()
    {
        if (Directory.Exists(Folder))
        {
            Directory.Delete(Folder, recursive: true);
        }
    }
}
