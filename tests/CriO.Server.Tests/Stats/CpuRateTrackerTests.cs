using CriO.Server.Stats;

namespace CriO.Server.Tests.Stats;

public sealed class CpuRateTrackerTests
{
    private static readonly DateTimeOffset Start = new(2025, 1, 2, 3, 4, 5, TimeSpan.Zero);

    [Fact]
    public void The_rate_is_cpu_time_over_wall_time_between_two_samples()
    {
        var time = new ManualTime(Start);
        var tracker = new CpuRateTracker();

        Assert.Null(tracker.UsageNanoCores("c1", Cpu(time, 1_000_000_000)));
        time.Advance(TimeSpan.FromSeconds(10));
        // 5 s of CPU over 10 s: half a core.
        Assert.Equal(500_000_000ul, tracker.UsageNanoCores("c1", Cpu(time, 6_000_000_000)));
        time.Advance(TimeSpan.FromSeconds(2));
        // 4 s of CPU over 2 s: two cores, measured from the second sample.
        Assert.Equal(2_000_000_000ul, tracker.UsageNanoCores("c1", Cpu(time, 10_000_000_000)));
    }

    [Fact]
    public void Large_cpu_deltas_do_not_overflow()
    {
        var time = new ManualTime(Start);
        var tracker = new CpuRateTracker();
        tracker.UsageNanoCores("c1", Cpu(time, 0));
        time.Advance(TimeSpan.FromHours(1));

        // 64 cores busy for an hour: 2.3e14 ns of CPU, which times 1e9 exceeds 64 bits.
        Assert.Equal(64_000_000_000ul, tracker.UsageNanoCores("c1", Cpu(time, 64ul * 3600 * 1_000_000_000)));
    }

    [Fact]
    public void Ids_are_tracked_apart()
    {
        var time = new ManualTime(Start);
        var tracker = new CpuRateTracker();
        tracker.UsageNanoCores("a", Cpu(time, 0));
        tracker.UsageNanoCores("b", Cpu(time, 0));
        time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(1_000_000_000ul, tracker.UsageNanoCores("a", Cpu(time, 1_000_000_000)));
        Assert.Equal(250_000_000ul, tracker.UsageNanoCores("b", Cpu(time, 250_000_000)));
    }

    [Fact]
    public void Forget_drops_the_previous_sample_so_the_next_one_starts_over()
    {
        var time = new ManualTime(Start);
        var tracker = new CpuRateTracker();
        tracker.UsageNanoCores("c1", Cpu(time, 0));
        tracker.Forget("c1");
        tracker.Forget("never-seen");
        time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(0, tracker.Count);
        Assert.Null(tracker.UsageNanoCores("c1", Cpu(time, 1_000_000_000)));
    }

    [Fact]
    public void A_counter_that_went_back_gives_no_rate_and_restarts_from_the_new_sample()
    {
        var time = new ManualTime(Start);
        var tracker = new CpuRateTracker();
        tracker.UsageNanoCores("c1", Cpu(time, 5_000_000_000));
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Null(tracker.UsageNanoCores("c1", Cpu(time, 100)));
        time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(100_000_000ul, tracker.UsageNanoCores("c1", Cpu(time, 100_000_100)));
    }

    [Fact]
    public void A_sample_at_the_same_instant_answers_the_last_rate_and_keeps_the_stored_sample()
    {
        var time = new ManualTime(Start);
        var tracker = new CpuRateTracker();
        tracker.UsageNanoCores("c1", Cpu(time, 0));
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1_000_000_000ul, tracker.UsageNanoCores("c1", Cpu(time, 1_000_000_000)));

        Assert.Equal(1_000_000_000ul, tracker.UsageNanoCores("c1", Cpu(time, 1_200_000_000)));
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(500_000_000ul, tracker.UsageNanoCores("c1", Cpu(time, 1_500_000_000)));
    }

    [Fact]
    public void A_sample_without_cpu_gives_null_and_is_not_stored()
    {
        var time = new ManualTime(Start);
        var tracker = new CpuRateTracker();

        Assert.Null(tracker.UsageNanoCores("c1", Cpu(time, null)));
        Assert.Equal(0, tracker.Count);
    }

    [Fact]
    public void The_store_is_bounded_and_drops_the_id_sampled_longest_ago()
    {
        var time = new ManualTime(Start);
        var tracker = new CpuRateTracker(capacity: 2);
        tracker.UsageNanoCores("old", Cpu(time, 0));
        time.Advance(TimeSpan.FromSeconds(1));
        tracker.UsageNanoCores("mid", Cpu(time, 0));
        time.Advance(TimeSpan.FromSeconds(1));
        tracker.UsageNanoCores("new", Cpu(time, 0));
        time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(2, tracker.Count);
        Assert.Null(tracker.UsageNanoCores("old", Cpu(time, 1)));
        Assert.NotNull(tracker.UsageNanoCores("new", Cpu(time, 1)));
    }

    private static CgroupSample Cpu(ManualTime time, ulong? nanos) =>
        new(time.GetUtcNow(), nanos, null, null, null, null, null, null, null);
}
