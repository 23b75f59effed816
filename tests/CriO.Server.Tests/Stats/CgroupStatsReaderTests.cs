using CriO.Server.Sandbox.Cgroups;
using CriO.Server.Stats;

namespace CriO.Server.Tests.Stats;

/// <summary>
/// The reader on fake hierarchies in a temp folder: a v1 layout (one folder per controller) and a
/// v2 layout, with the interface files written by the test.
/// </summary>
public sealed class CgroupStatsReaderTests : IDisposable
{
    private const string Container = "/kubepods/pod1/crio-abc";

    private static readonly DateTimeOffset Start = new(2025, 1, 2, 3, 4, 5, TimeSpan.Zero);

    private readonly string _root = Directory.CreateTempSubdirectory("crio-stats-").FullName;
    private readonly ManualTime _time = new(Start);

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void On_v1_every_field_is_read_from_its_controller_and_the_total_keys_win()
    {
        var reader = V1("cpu", "cpuacct", "memory", "pids");
        Write("cpuacct", "cpuacct.usage", "123456789\n");
        Write("memory", "memory.usage_in_bytes", "10000\n");
        Write("memory", "memory.memsw.usage_in_bytes", "10500\n");
        Write("memory", "memory.stat", """
            cache 1
            rss 2
            pgfault 3
            pgmajfault 4
            inactive_file 5
            total_cache 100
            total_rss 7000
            total_pgfault 900
            total_pgmajfault 12
            total_inactive_file 2500

            """);
        Write("pids", "pids.current", "3\n");

        var sample = reader.Read(Container);

        Assert.Equal(new CgroupSample(Start, 123456789, 10000, 7500, 7000, 900, 12, 500, 3), sample);
    }

    [Fact]
    public void On_v1_without_the_total_keys_the_plain_ones_are_read()
    {
        var reader = V1("cpuacct", "memory");
        Write("memory", "memory.usage_in_bytes", "4096");
        Write("memory", "memory.stat", "rss 1024\npgfault 7\npgmajfault 1\ninactive_file 96\n");

        var sample = reader.Read(Container)!;

        Assert.Equal((4000ul, 1024ul, 7ul, 1ul), (sample.MemoryWorkingSetBytes, sample.MemoryRssBytes, sample.PageFaults, sample.MajorPageFaults));
    }

    [Fact]
    public void On_v1_a_combined_cpu_cpuacct_hierarchy_is_found_by_its_name()
    {
        var reader = V1("cpu,cpuacct", "memory");
        Write("cpu,cpuacct", "cpuacct.usage", "42");

        Assert.Equal(42ul, reader.Read(Container)!.CpuUsageNanos);
    }

    [Fact]
    public void On_v1_missing_files_and_hierarchies_read_as_null_not_as_errors()
    {
        // No pids hierarchy mounted, memory folder without swap accounting, empty cpuacct folder.
        var reader = V1("cpuacct", "memory");
        Write("memory", "memory.usage_in_bytes", "8192");

        var sample = reader.Read(Container);

        Assert.Equal(new CgroupSample(Start, null, 8192, 8192, null, null, null, null, null), sample);
    }

    [Fact]
    public void On_v1_a_cgroup_in_none_of_the_hierarchies_is_gone()
    {
        var reader = V1("cpuacct", "memory", "pids");
        foreach (var controller in new[] { "cpuacct", "memory", "pids" })
        {
            // Removed from every hierarchy; its pod's folder is still there.
            Directory.Delete(Path.Combine(_root, controller, Container.TrimStart('/')));
        }

        Assert.Null(reader.Read(Container));
    }

    [Fact]
    public void On_v1_swap_is_floored_at_zero_when_memsw_is_read_below_usage()
    {
        var reader = V1("memory");
        Write("memory", "memory.usage_in_bytes", "5000");
        Write("memory", "memory.memsw.usage_in_bytes", "4000");

        Assert.Equal(0ul, reader.Read(Container)!.SwapUsageBytes);
    }

    [Fact]
    public void On_v2_every_field_is_read_from_the_one_folder()
    {
        var reader = V2();
        Write("", "cpu.stat", "usage_usec 2500\nuser_usec 2000\nsystem_usec 500\nnr_periods 0\n");
        Write("", "memory.current", "20480\n");
        Write("", "memory.stat", """
            anon 8192
            file 12288
            inactive_file 4096
            active_file 8192
            pgfault 77
            pgmajfault 2

            """);
        Write("", "memory.swap.current", "1024\n");
        Write("", "pids.current", "5\n");

        var sample = reader.Read(Container);

        Assert.Equal(new CgroupSample(Start, 2_500_000, 20480, 16384, 8192, 77, 2, 1024, 5), sample);
    }

    [Fact]
    public void On_v2_controllers_not_enabled_leave_their_values_null()
    {
        var reader = V2();
        Write("", "cpu.stat", "usage_usec 10\n");

        var sample = reader.Read(Container);

        Assert.Equal(new CgroupSample(Start, 10_000, null, null, null, null, null, null, null), sample);
    }

    [Fact]
    public void On_v2_a_missing_folder_is_a_gone_cgroup()
    {
        Assert.Null(V2().Read(Container));
    }

    [Fact]
    public void Working_set_is_floored_at_zero_when_inactive_file_exceeds_usage()
    {
        var reader = V2();
        Write("", "memory.current", "1000");
        Write("", "memory.stat", "inactive_file 4096\n");

        Assert.Equal(0ul, reader.Read(Container)!.MemoryWorkingSetBytes);
    }

    [Fact]
    public void The_sample_is_stamped_with_the_injected_clock()
    {
        var reader = V2();
        Write("", "pids.current", "1");
        _time.Advance(TimeSpan.FromSeconds(90));

        Assert.Equal(Start.AddSeconds(90), reader.Read(Container)!.Time);
    }

    [Fact]
    public void A_path_that_climbs_out_of_the_hierarchy_is_refused()
    {
        Assert.Throws<ArgumentException>(() => V2().Read("/kubepods/../../etc"));
    }

    private CgroupStatsReader V1(params string[] controllers)
    {
        var roots = controllers.Select(c => Path.Combine(_root, c)).ToList();
        foreach (var root in roots)
        {
            Directory.CreateDirectory(Path.Combine(root, Container.TrimStart('/')));
        }

        // The named systemd hierarchy and the hybrid cgroup2 mount are there too, and ignored.
        return new CgroupStatsReader(new CgroupMounts(false, Path.Combine(_root, "unified"), [.. roots, Path.Combine(_root, "systemd")]), _time);
    }

    private CgroupStatsReader V2() => new(new CgroupMounts(true, _root, []), _time);

    /// <summary>Writes a file in the container's folder of a v1 controller ("" for the v2 tree).</summary>
    private void Write(string controller, string file, string content)
    {
        var folder = Path.Combine(_root, controller, Container.TrimStart('/'));
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, file), content);
    }
}
