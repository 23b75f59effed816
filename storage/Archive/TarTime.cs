namespace CriO.Storage.Archive;

/// <summary>A tar timestamp: seconds since the epoch and nanoseconds (0..999,999,999), as PAX records carry them.</summary>
internal readonly record struct TarTime(long Seconds, int Nanoseconds)
{
    /// <summary>
    /// The time to set on disk: containers/storage (pkg/system Chtimes) sets times before the
    /// epoch to the epoch rather than handing the kernel something it may refuse.
    /// </summary>
    public TarTime ClampToEpoch() => Seconds < 0 ? default : this;

    public static TarTime Max(TarTime a, TarTime b) =>
        a.Seconds != b.Seconds ? (a.Seconds > b.Seconds ? a : b) : (a.Nanoseconds >= b.Nanoseconds ? a : b);
}
