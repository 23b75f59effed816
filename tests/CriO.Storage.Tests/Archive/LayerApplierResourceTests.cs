using CriO.Storage.Archive;

namespace CriO.Storage.Tests.Archive;

[CollectionDefinition(nameof(DescriptorCounting), DisableParallelization = true)]
public sealed class DescriptorCounting;

/// <summary>Applying a layer, failing or cancelled, leaves no descriptor open and no task running. Counts /proc/self/fd, so runs alone.</summary>
[Collection(nameof(DescriptorCounting))]
public class LayerApplierResourceTests
{
    [Fact]
    public async Task No_descriptor_stays_open_after_success_or_failure()
    {
        using var scratch = new ArchiveScratch();
        var many = new RawTar();
        for (var i = 0; i < 40; i++)
        {
            many.Directory($"d{i}/").File($"d{i}/f", "x").File($"d{i}/sub/g", "y");
        }

        await Layers.ApplyAsync(many.Build(), scratch.NewDiff("warm-up"));
        var before = OpenDescriptors();
        await Layers.ApplyAsync(many.Build(), scratch.Diff);
        var failing = new RawTar().Directory("a/").File("a/f", "x").Symlink("l", "/nowhere").File("l/x", "y").Build();
        await Assert.ThrowsAsync<LayerFormatException>(() => Layers.ApplyAsync(failing, scratch.NewDiff("failing")));
        using (var input = new MemoryStream(many.Build()))
        {
            await LayerApplier.ApplyAsync(input, scratch.NewDiff("no-split"), null, new LayerApplyOptions(), CancellationToken.None);
        }

        // Other tests' handles may be finalized meanwhile (the count only falls then): what
        // counts is that none was added and none points into this test's folders.
        Assert.InRange(OpenDescriptors(), 0, before);
        Assert.Empty(DescriptorsUnder(scratch.Root));
    }

    [Fact]
    public async Task Cancelling_a_stalled_layer_stops_promptly()
    {
        using var scratch = new ArchiveScratch();
        var start = new RawTar().File("a", "x").Build(endBlocks: 0);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var apply = LayerApplier.ApplyAsync(new StallingStream(start), scratch.Diff, new MemoryStream(), new LayerApplyOptions(), cancel.Token);
        Assert.Same(apply, await Task.WhenAny(apply, Task.Delay(TimeSpan.FromSeconds(10))));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => apply);
    }

    [Fact]
    public async Task Options_out_of_range_are_refused()
    {
        using var scratch = new ArchiveScratch();
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Layers.ApplyAsync([], scratch.Diff, new LayerApplyOptions { MaxEntries = 0 }));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Layers.ApplyAsync([], scratch.Diff, new LayerApplyOptions { MaxExtendedHeaderSize = 10 }));
    }

    private static int OpenDescriptors() => Directory.GetFileSystemEntries("/proc/self/fd").Length;

    private static List<string> DescriptorsUnder(string root) =>
        [.. Directory.GetFileSystemEntries("/proc/self/fd")
            .Select(fd => new FileInfo(fd).LinkTarget)
            .Where(target => target is not null && target.StartsWith(root, StringComparison.Ordinal))
            .Select(target => target!)];

    /// <summary>Returns its bytes, then waits forever (until cancelled), like a registry that stopped sending.</summary>
    private sealed class StallingStream(byte[] start) : MemoryStream(start)
    {
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var n = await base.ReadAsync(buffer, cancellationToken);
            if (n > 0)
            {
                return n;
            }

            await Task.Delay(Timeout.Infinite, cancellationToken);
            return 0;
        }
    }
}
