using System.Text;
using System.Text.Json;
using CriO.Server.Errors;
using CriO.Server.Streaming;

namespace CriO.Server.Tests.Streaming;

public sealed class StreamingUnitTests
{
    private sealed class ManualClock : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = DateTimeOffset.UnixEpoch;

        public override DateTimeOffset GetUtcNow() => Now;
    }

    private static readonly ExecStreamRequest Exec = new("c0ffee", ["true"], false, false, true, false);

    [Fact]
    public void A_token_opens_its_request_once()
    {
        var cache = new StreamRequestCache(new ManualClock());
        var token = cache.Insert(Exec);

        Assert.Matches("^[A-Za-z0-9_-]{16}$", token);
        Assert.Same(Exec, cache.Consume(token));
        Assert.Null(cache.Consume(token));
        Assert.Null(cache.Consume("not-a-token"));
    }

    [Fact]
    public void A_token_expires_after_a_minute()
    {
        var clock = new ManualClock();
        var cache = new StreamRequestCache(clock);
        var late = cache.Insert(Exec);
        var early = cache.Insert(Exec);

        clock.Now += StreamRequestCache.Lifetime - TimeSpan.FromSeconds(1);
        Assert.NotNull(cache.Consume(early));
        clock.Now += TimeSpan.FromSeconds(2);
        Assert.Null(cache.Consume(late));
    }

    [Fact]
    public void Pending_requests_are_bounded_and_expired_ones_make_room()
    {
        var clock = new ManualClock();
        var cache = new StreamRequestCache(clock);
        for (var i = 0; i < 1000; i++)
        {
            cache.Insert(Exec);
        }

        Assert.Throws<UnavailableException>(() => cache.Insert(Exec));
        clock.Now += StreamRequestCache.Lifetime;
        Assert.NotEmpty(cache.Insert(Exec));
    }

    [Theory]
    [InlineData(new[] { "v4.channel.k8s.io", "v5.channel.k8s.io" }, "v4.channel.k8s.io")]
    [InlineData(new[] { "SPDY/3.1", "base64.channel.k8s.io" }, "base64.channel.k8s.io")]
    [InlineData(new[] { "v6.channel.k8s.io" }, null)]
    public void The_clients_first_supported_protocol_is_taken(string[] offered, string? expected) =>
        Assert.Equal(expected, ChannelWebSocket.Negotiate(offered, ChannelWebSocket.RemoteCommandProtocols));

    [Theory]
    [InlineData("{\"Width\":100,\"Height\":40}", 100, 40)]
    [InlineData("{\"Height\":24,\"Width\":80}", 80, 24)]
    public void A_resize_message_gives_the_size(string json, int width, int height) =>
        Assert.Equal(new TerminalSize((ushort)width, (ushort)height), TerminalSize.Parse(Encoding.UTF8.GetBytes(json)));

    [Theory]
    [InlineData("{\"Width\":100}")]
    [InlineData("{\"Width\":-1,\"Height\":40}")]
    [InlineData("not json")]
    public void Anything_else_on_the_resize_channel_is_no_size(string text) =>
        Assert.Null(TerminalSize.Parse(Encoding.UTF8.GetBytes(text)));

    [Fact]
    public void A_non_zero_exit_is_a_Status_with_the_code_as_its_cause()
    {
        var status = JsonDocument.Parse(StreamStatus.NonZeroExit(["sh", "-c", "exit 3"], 3)).RootElement;

        Assert.Equal("Failure", status.GetProperty("status").GetString());
        Assert.Equal("NonZeroExitCode", status.GetProperty("reason").GetString());
        Assert.Equal("command terminated with non-zero exit code: error executing command [sh -c exit 3], exit code 3", status.GetProperty("message").GetString());
        var cause = status.GetProperty("details").GetProperty("causes")[0];
        Assert.Equal(("ExitCode", "3"), (cause.GetProperty("reason").GetString(), cause.GetProperty("message").GetString()));
        Assert.Equal("Success", JsonDocument.Parse(StreamStatus.Success()).RootElement.GetProperty("status").GetString());
    }
}
