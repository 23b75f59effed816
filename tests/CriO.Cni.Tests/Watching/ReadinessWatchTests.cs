using System.Collections.Concurrent;
using CriO.Cni.Tests.Fakes;

namespace CriO.Cni.Tests.Watching;

/// <summary>Readiness follows the network folder without a restart, including a folder made after Start.</summary>
public sealed class ReadinessWatchTests : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    private readonly CniTestBed _bed = new();

    public void Dispose() => _bed.Dispose();

    [Fact]
    public async Task Readiness_follows_a_conflist_appearing_and_disappearing()
    {
        _bed.WritePlugin("first");
        using var manager = _bed.Manager();
        var changes = new ConcurrentQueue<NetworkReadiness>();
        manager.ReadinessChanged += changes.Enqueue;
        manager.Start();
        Assert.False(manager.Readiness.Ready);

        _bed.WriteConfig("10-test.conflist", Networks.List("testnet", "1.0.0", "first"));
        await WaitForAsync(() => manager.Readiness.Ready);
        Assert.Equal("testnet", manager.Readiness.Network!.Name);

        File.Delete(Path.Combine(_bed.NetworkDirectory, "10-test.conflist"));
        await WaitForAsync(() => !manager.Readiness.Ready);
        Assert.Contains(changes, r => r.Ready);
        Assert.False(changes.Last().Ready);
    }

    [Fact]
    public async Task Readiness_follows_a_change_of_the_default_network_file()
    {
        _bed.WritePlugin("first");
        _bed.WriteConfig("10-test.conflist", Networks.List("testnet", "1.0.0", "first"));
        using var manager = _bed.Manager();
        manager.Start();
        Assert.True(manager.Readiness.Ready);

        _bed.WriteConfig("10-test.conflist", Networks.List("testnet", "1.0.0", "first", "notinstalled"));
        await WaitForAsync(() => !manager.Readiness.Ready);
        Assert.Contains("notinstalled", manager.Readiness.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_network_folder_made_after_Start_is_noticed_and_so_is_its_replacement()
    {
        _bed.WritePlugin("first");
        var folder = Path.Combine(_bed.Root, "etc", "cni", "net.d");
        var settings = _bed.Settings() with { NetworkDirectory = folder };
        using var manager = new CniNetworkManager(settings, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, TimeProvider.System);
        manager.Start();
        Assert.False(manager.Readiness.Ready);

        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "10-test.conflist"), Networks.List("testnet", "1.0.0", "first"));
        await WaitForAsync(() => manager.Readiness.Ready);

        Directory.Delete(Path.Combine(_bed.Root, "etc"), recursive: true);
        await WaitForAsync(() => !manager.Readiness.Ready);

        // A new folder at the same path: the watch must follow the new one, not the deleted inode.
        Directory.CreateDirectory(folder);
        await Task.Delay(500);
        File.WriteAllText(Path.Combine(folder, "20-other.conflist"), Networks.List("other", "1.0.0", "first"));
        await WaitForAsync(() => manager.Readiness.Ready);
        Assert.Equal("other", manager.Readiness.Network!.Name);
    }

    [Fact]
    public void Readiness_before_Start_is_read_once_on_first_use()
    {
        _bed.WritePlugin("first");
        _bed.WriteConfig("10-test.conflist", Networks.List("testnet", "1.0.0", "first"));
        using var manager = _bed.Manager();

        Assert.True(manager.Readiness.Ready);
        Assert.Same(manager.Readiness, manager.Readiness);
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Bound;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"not seen within {Bound.TotalSeconds} s");
            await Task.Delay(50);
        }
    }
}
