using System.Buffers;
using System.IO.Pipelines;
using CriO.Server.Http2;
using Microsoft.AspNetCore.Connections;

namespace CriO.Server.Tests.Http2;

/// <summary>The middleware's pipe plumbing, with a fake connection standing in for Kestrel's.</summary>
public class AuthorityRewritingConnectionMiddlewareTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Kestrel_reads_rewritten_bytes_until_the_client_closes_and_gets_its_transport_back()
    {
        var fromClient = new Pipe();
        var toClient = new Pipe();
        IDuplexPipe original = new TestDuplexPipe(fromClient.Reader, toClient.Writer);
        var connection = new DefaultConnectionContext("test", original, new TestDuplexPipe(toClient.Reader, fromClient.Writer));
        byte[]? seenByKestrel = null;
        PipeWriter? outputSeenByKestrel = null;
        var middleware = new AuthorityRewritingConnectionMiddleware(
            async context =>
            {
                outputSeenByKestrel = context.Transport.Output;
                seenByKestrel = await ReadToEndAsync(context.Transport.Input);
            },
            maxDecoderTableSize: 4096);

        Task connectionTask = middleware.OnConnectionAsync(connection);
        await fromClient.Writer.WriteAsync(Http2AuthorityRewriterTests.GoClientConversation());
        await fromClient.Writer.CompleteAsync();
        await connectionTask.WaitAsync(s_timeout);

        Assert.Same(original, connection.Transport);
        Assert.Same(toClient.Writer, outputSeenByKestrel);
        Assert.NotNull(seenByKestrel);
        List<Http2TestFrame> frames = Http2TestFrame.ParseAll(seenByKestrel.AsSpan(Http2TestFrame.Preface.Length));
        Assert.Equal(
            Http2AuthorityRewriterTests.GoClientFields("localhost"),
            Http2AuthorityRewriterTests.DecodeFresh(frames[1].Payload));
    }

    [Fact]
    public async Task Kestrel_finishing_first_stops_the_rewriter_and_releases_the_client_input()
    {
        var fromClient = new Pipe();
        var toClient = new Pipe();
        IDuplexPipe original = new TestDuplexPipe(fromClient.Reader, toClient.Writer);
        var connection = new DefaultConnectionContext("test", original, new TestDuplexPipe(toClient.Reader, fromClient.Writer));
        var middleware = new AuthorityRewritingConnectionMiddleware(_ => Task.CompletedTask, maxDecoderTableSize: 4096);

        // The client keeps its side open; Kestrel gives up on the connection at once.
        await fromClient.Writer.WriteAsync(Http2TestFrame.Preface);
        await middleware.OnConnectionAsync(connection).WaitAsync(s_timeout);

        Assert.Same(original, connection.Transport);
        FlushResult afterwards = await fromClient.Writer.WriteAsync(new byte[1]);
        Assert.True(afterwards.IsCompleted, "the original input should be completed once the connection is over");
    }

    [Fact]
    public async Task Protocol_error_reaches_kestrel_as_a_failed_read()
    {
        var fromClient = new Pipe();
        var toClient = new Pipe();
        var connection = new DefaultConnectionContext(
            "test",
            new TestDuplexPipe(fromClient.Reader, toClient.Writer),
            new TestDuplexPipe(toClient.Reader, fromClient.Writer));
        Exception? seenByKestrel = null;
        var middleware = new AuthorityRewritingConnectionMiddleware(
            async context => seenByKestrel = await Record.ExceptionAsync(() => ReadToEndAsync(context.Transport.Input)),
            maxDecoderTableSize: 4096);

        Task connectionTask = middleware.OnConnectionAsync(connection);
        await fromClient.Writer.WriteAsync(Http2TestFrame.Concat(
            Http2TestFrame.Preface,
            new Http2TestFrame(Http2TestFrame.Headers, 0x4, 1, [0x80]).ToBytes()));
        await connectionTask.WaitAsync(s_timeout);

        Assert.IsType<HpackDecodingException>(seenByKestrel);
    }

    private static async Task<byte[]> ReadToEndAsync(PipeReader reader)
    {
        while (true)
        {
            ReadResult result = await reader.ReadAsync();
            if (result.IsCompleted)
            {
                byte[] all = result.Buffer.ToArray();
                reader.AdvanceTo(result.Buffer.End);
                return all;
            }

            reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
        }
    }

    private sealed class TestDuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }
}
