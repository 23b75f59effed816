using CriO.Cri;
using CriO.Server.Stats;

namespace CriO.Server.Tests.Stats;

public sealed class CriStatsTests
{
    private static readonly DateTimeOffset Time = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_123);
    private const long TimeNanos = 1_700_000_000_123_000_000;

    private static readonly CgroupSample Full = new(Time, 11, 22, 33, 44, 55, 66, 77, 88);
    private static readonly CgroupSample Empty = new(Time, null, null, null, null, null, null, null, null);

    [Fact]
    public void Cpu_carries_the_cumulative_time_and_the_rate()
    {
        var cpu = CriStats.Cpu(Full, 500);

        Assert.Equal((TimeNanos, 11ul, 500ul), (cpu.Timestamp, cpu.UsageCoreNanoSeconds.Value, cpu.UsageNanoCores.Value));
    }

    [Fact]
    public void Unknown_values_stay_unset_rather_than_zero()
    {
        var cpu = CriStats.Cpu(Empty, null);
        var memory = CriStats.Memory(Empty);

        Assert.Null(cpu.UsageCoreNanoSeconds);
        Assert.Null(cpu.UsageNanoCores);
        Assert.Equal(new MemoryUsage { Timestamp = TimeNanos }, memory);
        Assert.Null(CriStats.Swap(Empty));
        Assert.Null(CriStats.Process(Empty));
    }

    [Fact]
    public void Memory_maps_every_field()
    {
        var memory = CriStats.Memory(Full);

        Assert.Equal(TimeNanos, memory.Timestamp);
        Assert.Equal(
            (33ul, 22ul, 44ul, 55ul, 66ul),
            (memory.WorkingSetBytes.Value, memory.UsageBytes.Value, memory.RssBytes.Value, memory.PageFaults.Value, memory.MajorPageFaults.Value));
        Assert.Null(memory.AvailableBytes);
    }

    [Fact]
    public void Swap_and_process_count_are_mapped_when_known()
    {
        Assert.Equal(77ul, CriStats.Swap(Full)!.SwapUsageBytes.Value);
        Assert.Equal(88ul, CriStats.Process(Full)!.ProcessCount.Value);
    }

    [Fact]
    public void Filesystem_counts_the_writable_layer_on_the_graph_root()
    {
        var layer = Directory.CreateTempSubdirectory("crio-stats-layer-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(layer, "etc"));
            File.WriteAllBytes(Path.Combine(layer, "etc", "data"), new byte[64 * 1024]);

            var usage = CriStats.Filesystem("/var/lib/containers/storage", layer, Time);

            Assert.Equal(TimeNanos, usage.Timestamp);
            Assert.Equal("/var/lib/containers/storage", usage.FsId.Mountpoint);
            Assert.Equal(3ul, usage.InodesUsed.Value);
            Assert.True(usage.UsedBytes.Value >= 64 * 1024, $"used {usage.UsedBytes.Value}");
        }
        finally
        {
            Directory.Delete(layer, recursive: true);
        }
    }

    [Fact]
    public void Filesystem_of_a_missing_layer_is_zero()
    {
        var usage = CriStats.Filesystem("/graph", "/nonexistent/crio-stats-layer", Time);

        Assert.Equal((0ul, 0ul), (usage.UsedBytes.Value, usage.InodesUsed.Value));
    }

    [Fact]
    public void Network_names_eth0_as_the_default_interface()
    {
        var interfaces = NetworkCounters.Parse(NetworkCountersTests.Sample);

        var usage = CriStats.Network(interfaces, Time);

        Assert.Equal(TimeNanos, usage.Timestamp);
        Assert.Equal("eth0", usage.DefaultInterface.Name);
        Assert.Equal(["eth0", "net1"], usage.Interfaces.Select(i => i.Name));
    }

    [Fact]
    public void Network_without_eth0_has_no_default_interface()
    {
        var usage = CriStats.Network([new NetworkInterfaceUsage { Name = "net1" }], Time);

        Assert.Null(usage.DefaultInterface);
        Assert.Single(usage.Interfaces);
    }
}
