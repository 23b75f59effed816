using System.Text;
using CriO.Conmon.Monitor;

namespace CriO.Conmon.Monitor.Tests;

public sealed class CriLogWriterTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("crio-conmon-log-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string LogPath => Path.Join(_folder, "0.log");

    private string[] Records() => File.ReadAllLines(LogPath).Select(l => string.Join(' ', l.Split(' ').Skip(1))).ToArray();

    [Fact]
    public void Lines_are_full_records_and_a_reads_unfinished_end_is_partial()
    {
        using (var log = new CriLogWriter(LogPath, -1))
        {
            log.Write(isStderr: false, "one\ntwo\nthr"u8);
            log.Write(isStderr: true, "err\n"u8);
            log.Write(isStderr: false, "ee\n\n"u8);
        }

        Assert.Equal(["stdout F one", "stdout F two", "stdout P thr", "stderr F err", "stdout F ee", "stdout F "], Records());
        var timestamp = File.ReadAllLines(LogPath)[0].Split(' ')[0];
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}[+-]\d\d:\d\d$", timestamp);
    }

    [Fact]
    public void A_record_that_would_pass_the_size_limit_truncates_the_file_first()
    {
        using (var log = new CriLogWriter(LogPath, 120))
        {
            log.Write(false, "first\n"u8);
            log.Write(false, "second\n"u8);
            log.Write(false, "third\n"u8);
        }

        Assert.Equal(["stdout F third"], Records());
        Assert.True(new FileInfo(LogPath).Length <= 120);
    }

    [Fact]
    public void Reopen_follows_the_path_after_a_rename()
    {
        using var log = new CriLogWriter(LogPath, -1);
        log.Write(false, "before\n"u8);
        File.Move(LogPath, LogPath + ".1");

        log.Reopen();
        log.Write(false, Encoding.UTF8.GetBytes(new string('x', 10_000) + "\n"));

        Assert.Equal(["stdout F " + new string('x', 10_000)], Records());
        Assert.Single(File.ReadAllLines(LogPath + ".1"));
    }
}
