namespace CriO.Conmon.Client.Tests;

/// <summary>The sync pipe's JSON line, as conmon 2.1 prints it.</summary>
public sealed class SyncMessageTests
{
    [Fact]
    public void Pid_alone_is_a_created_container()
    {
        var message = ConmonLauncher.Parse("{\"pid\": 4242}");
        Assert.Equal(4242, message.Pid);
        Assert.Null(message.Message);
    }

    [Fact]
    public void Minus_one_carries_the_runtimes_message_unescaped()
    {
        // Verbatim from Debian's conmon 2.1.6 after a failing `runc create`.
        var message = ConmonLauncher.Parse(
            "{\"pid\": -1, \"message\": \"time=\\\"2026-11-29T15:05:35Z\\\" level=error msg=\\\"runc create failed: namespace {\\\\\\\"\\\\\\\" \\\\\\\"\\\\\\\"} does not exist\\\"\\n\"}");
        Assert.Equal(-1, message.Pid);
        Assert.Equal("time=\"2026-11-29T15:05:35Z\" level=error msg=\"runc create failed: namespace {\\\"\\\" \\\"\\\"} does not exist\"\n", message.Message);
    }

    [Fact]
    public void Badly_escaped_message_is_still_read()
    {
        var message = ConmonLauncher.Parse("{\"pid\": -1, \"message\": \"exec: \"/nope\": not found\"}");
        Assert.Equal(-1, message.Pid);
        Assert.Equal("exec: \"/nope\": not found", message.Message);
    }

    [Fact]
    public void Line_without_a_pid_is_an_error()
    {
        Assert.Throws<MonitorStartException>(() => ConmonLauncher.Parse("garbage"));
    }
}
