using System.Buffers;
using System.IO.Pipelines;
using CriO.Server.Http2;
using static CriO.Server.Tests.Http2.HpackDecoderTests;

namespace CriO.Server.Tests.Http2;

public class Http2AuthorityRewriterTests
{
    private const byte EndStream = 0x1;
    private const byte EndHeaders = 0x4;
    private const byte Padded = 0x8;
    private const byte Priority = 0x20;

    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(10);

    // SETTINGS_HEADER_TABLE_SIZE = 0 from the client is about its own decoder, and must not
    // shrink ours: the HEADERS below still index into a 4096-byte table.
    private static readonly Http2TestFrame s_clientSettings = new(Http2TestFrame.Settings, 0, 0, Hex.Parse("0001 0000 0000 0004 0000 ffff"));

    private static readonly Http2TestFrame s_data = new(Http2TestFrame.Data, EndStream, 1, Hex.Parse("00 0000 0005 0a03 312e 30"));

    [Fact]
    public async Task Go_client_socket_path_authority_is_rewritten_in_every_block()
    {
        byte[] input = GoClientConversation();

        List<Http2TestFrame> frames = ParseOutput(await RewriteAsync(input));

        Assert.Equal(4, frames.Count);
        Assert.Equal(s_clientSettings, frames[0], FrameComparer.Instance);
        Assert.Equal(s_data, frames[2], FrameComparer.Instance);

        Assert.Equal((Http2TestFrame.Headers, EndHeaders, 1), (frames[1].Type, frames[1].Flags, frames[1].StreamId));
        Assert.Equal((Http2TestFrame.Headers, (byte)(EndHeaders | EndStream), 3), (frames[3].Type, frames[3].Flags, frames[3].StreamId));

        // Each block must decode on its own: Kestrel's table stays empty.
        List<HpackHeaderField> expected = GoClientFields("localhost");
        Assert.Equal(expected, DecodeFresh(frames[1].Payload));
        Assert.Equal(expected, DecodeFresh(frames[3].Payload));
    }

    [Fact]
    public async Task One_byte_writes_give_identical_output()
    {
        byte[] input = GoClientConversation();

        byte[] whole = await RewriteAsync(input);
        byte[] trickled = await RewriteAsync(input, chunkSize: 1);

        Assert.Equal(whole, trickled);
    }

    [Theory]
    [InlineData("localhost:1234")]
    [InlineData("127.0.0.1")]
    [InlineData("[::1]:80")]
    [InlineData("crio.sock.example")]
    public async Task Valid_authority_is_kept(string authority)
    {
        List<HpackHeaderField> fields = [F(":method", "GET"), F(":scheme", "http"), F(":path", "/"), F(":authority", authority)];
        byte[] block = Http2TestFrame.Block(b => fields.ForEach(f => HpackTestEncoder.Incremental(f, huffman: true, b)));

        List<Http2TestFrame> frames = ParseOutput(await RewriteAsync(Conversation(new Http2TestFrame(Http2TestFrame.Headers, EndHeaders | EndStream, 1, block))));

        Assert.Equal(fields, DecodeFresh(Assert.Single(frames).Payload));
    }

    [Theory]
    [InlineData(":authority", "")]
    [InlineData(":authority", "%2Fvar%2Frun%2Fcrio%2Fcrio.sock")]
    [InlineData("host", "/var/run/crio/crio.sock")]
    public async Task Empty_encoded_path_and_host_header_are_rewritten(string name, string value)
    {
        byte[] block = Http2TestFrame.Block(b =>
        {
            HpackTestEncoder.Indexed(2, b);
            HpackTestEncoder.Incremental(F(name, value), huffman: false, b);
            HpackTestEncoder.Incremental(F("x-after", "kept"), huffman: false, b);
        });

        List<Http2TestFrame> frames = ParseOutput(await RewriteAsync(Conversation(new Http2TestFrame(Http2TestFrame.Headers, EndHeaders, 1, block))));

        Assert.Equal([F(":method", "GET"), F(name, "localhost"), F("x-after", "kept")], DecodeFresh(Assert.Single(frames).Payload));
    }

    [Fact]
    public async Task Never_indexed_authority_stays_never_indexed_when_rewritten()
    {
        byte[] block = Http2TestFrame.Block(b =>
        {
            HpackEncoder.EncodeLiteralWithoutIndexing(F(":authority", "/run/crio.sock", neverIndexed: true), b);
        });

        List<Http2TestFrame> frames = ParseOutput(await RewriteAsync(Conversation(new Http2TestFrame(Http2TestFrame.Headers, EndHeaders, 1, block))));

        Assert.Equal([F(":authority", "localhost", neverIndexed: true)], DecodeFresh(Assert.Single(frames).Payload));
    }

    [Fact]
    public async Task Padded_headers_with_priority_keep_priority_and_drop_padding()
    {
        byte[] block = Http2TestFrame.Block(b => GoClientFields("/var/run/crio/crio.sock").ForEach(f => HpackTestEncoder.Incremental(f, huffman: true, b)));
        byte[] priority = Hex.Parse("8000 0001 0f"); // exclusive, depends on stream 1, weight 16
        byte[] payload = Http2TestFrame.Concat([3], priority, block, [0, 0, 0]);
        var headers = new Http2TestFrame(Http2TestFrame.Headers, Padded | Priority | EndHeaders | EndStream, 5, payload);

        Http2TestFrame output = Assert.Single(ParseOutput(await RewriteAsync(Conversation(headers))));

        Assert.Equal(Priority | EndHeaders | EndStream, output.Flags);
        Assert.Equal(5, output.StreamId);
        Assert.Equal(priority, output.Payload[..5]);
        Assert.Equal(GoClientFields("localhost"), DecodeFresh(output.Payload[5..]));
    }

    [Fact]
    public async Task Continuation_frames_in_input_are_merged()
    {
        byte[] block = Http2TestFrame.Block(b => GoClientFields("/var/run/crio/crio.sock").ForEach(f => HpackTestEncoder.Incremental(f, huffman: true, b)));

        // Cut inside representations, including inside a Huffman string.
        byte[] input = Conversation(
            new Http2TestFrame(Http2TestFrame.Headers, EndStream, 1, block[..7]),
            new Http2TestFrame(Http2TestFrame.Continuation, 0, 1, block[7..20]),
            new Http2TestFrame(Http2TestFrame.Continuation, 0, 1, []),
            new Http2TestFrame(Http2TestFrame.Continuation, EndHeaders, 1, block[20..]),
            s_data);

        List<Http2TestFrame> frames = ParseOutput(await RewriteAsync(input));

        Assert.Equal(2, frames.Count);
        Assert.Equal((Http2TestFrame.Headers, (byte)(EndHeaders | EndStream), 1), (frames[0].Type, frames[0].Flags, frames[0].StreamId));
        Assert.Equal(GoClientFields("localhost"), DecodeFresh(frames[0].Payload));
        Assert.Equal(s_data, frames[1], FrameComparer.Instance);
    }

    [Fact]
    public async Task Oversize_rewritten_block_is_split_into_headers_and_continuation()
    {
        List<HpackHeaderField> fields = [F(":method", "GET"), F(":authority", "/run/crio.sock"), F("x-big", new string('b', 20_000)), F("x-big2", new string('c', 20_000))];
        byte[] block = Http2TestFrame.Block(b => fields.ForEach(f => HpackTestEncoder.Incremental(f, huffman: true, b)));
        var clientFrames = new List<Http2TestFrame>();
        for (int offset = 0; offset < block.Length; offset += 16_384)
        {
            byte[] fragment = block[offset..Math.Min(offset + 16_384, block.Length)];
            bool last = offset + 16_384 >= block.Length;
            clientFrames.Add(offset == 0
                ? new Http2TestFrame(Http2TestFrame.Headers, (byte)(Priority | EndStream | (last ? EndHeaders : 0)), 7, [.. Hex.Parse("0000 0003 ff"), .. fragment])
                : new Http2TestFrame(Http2TestFrame.Continuation, last ? EndHeaders : (byte)0, 7, fragment));
        }

        List<Http2TestFrame> frames = ParseOutput(await RewriteAsync(Conversation([.. clientFrames])));

        Assert.Equal(3, frames.Count);
        Assert.Equal((Http2TestFrame.Headers, (byte)(Priority | EndStream), 16_384), (frames[0].Type, frames[0].Flags, frames[0].Payload.Length));
        Assert.Equal((Http2TestFrame.Continuation, (byte)0, 16_384), (frames[1].Type, frames[1].Flags, frames[1].Payload.Length));
        Assert.Equal((Http2TestFrame.Continuation, EndHeaders), (frames[2].Type, frames[2].Flags));
        Assert.All(frames, f => Assert.Equal(7, f.StreamId));
        Assert.Equal(Hex.Parse("0000 0003 ff"), frames[0].Payload[..5]);

        byte[] rewritten = [.. frames[0].Payload[5..], .. frames[1].Payload, .. frames[2].Payload];
        fields[1] = F(":authority", "localhost");
        Assert.Equal(fields, DecodeFresh(rewritten));
    }

    [Fact]
    public async Task Non_http2_input_passes_through_untouched_and_at_once()
    {
        byte[] request = "GET / HTTP/1.1\r\nHost: /var/run/crio/crio.sock\r\n\r\n"u8.ToArray();
        var input = new Pipe();
        var output = new Pipe();
        Task run = Http2AuthorityRewriter.RunAsync(input.Reader, output.Writer, 4096, CancellationToken.None);

        // Shorter than the 24-octet preface, and nothing more comes until it is answered.
        await input.Writer.WriteAsync(request.AsMemory(0, 5));
        Assert.Equal(request[..5], await ReadAtLeastAsync(output.Reader, 5));
        await input.Writer.WriteAsync(request.AsMemory(5));
        Assert.Equal(request[5..], await ReadAtLeastAsync(output.Reader, request.Length - 5));

        await input.Writer.CompleteAsync();
        await run.WaitAsync(s_timeout);
        ReadResult end = await output.Reader.ReadAsync();
        Assert.True(end.IsCompleted);
        Assert.True(end.Buffer.IsEmpty);
    }

    [Fact]
    public async Task Large_data_frame_is_streamed_not_buffered()
    {
        var input = new Pipe();
        var output = new Pipe();
        Task run = Http2AuthorityRewriter.RunAsync(input.Reader, output.Writer, 4096, CancellationToken.None);
        byte[] frameStart = Http2TestFrame.Concat(Http2TestFrame.Preface, Hex.Parse("01 0000 00 00 0000 0001"), [1, 2, 3]);

        // A DATA frame announcing 65,536 octets, of which 3 have come: they are forwarded now.
        await input.Writer.WriteAsync(frameStart);
        Assert.Equal(frameStart, await ReadAtLeastAsync(output.Reader, frameStart.Length));

        await input.Writer.CompleteAsync();
        await run.WaitAsync(s_timeout);
    }

    [Theory]
    [InlineData("80")] // HPACK index 0
    [InlineData("3fe2 1f")] // size update beyond 4096
    [InlineData("4181 ff")] // Huffman value with 8 bits of padding
    public async Task Malformed_header_block_aborts_the_connection(string block)
    {
        byte[] input = Conversation(new Http2TestFrame(Http2TestFrame.Headers, EndHeaders, 1, Hex.Parse(block)));
        await Assert.ThrowsAsync<HpackDecodingException>(() => RewriteAsync(input));
    }

    [Fact]
    public async Task Frame_inside_a_header_block_aborts_the_connection()
    {
        byte[] input = Conversation(
            new Http2TestFrame(Http2TestFrame.Headers, 0, 1, Hex.Parse("82")),
            new Http2TestFrame(Http2TestFrame.Ping, 0, 0, new byte[8]));
        await Assert.ThrowsAsync<InvalidDataException>(() => RewriteAsync(input));
    }

    [Fact]
    public async Task Continuation_for_another_stream_aborts_the_connection()
    {
        byte[] input = Conversation(
            new Http2TestFrame(Http2TestFrame.Headers, 0, 1, Hex.Parse("82")),
            new Http2TestFrame(Http2TestFrame.Continuation, EndHeaders, 3, Hex.Parse("86")));
        await Assert.ThrowsAsync<InvalidDataException>(() => RewriteAsync(input));
    }

    [Fact]
    public async Task Padding_longer_than_the_payload_aborts_the_connection()
    {
        byte[] input = Conversation(new Http2TestFrame(Http2TestFrame.Headers, Padded | EndHeaders, 1, Hex.Parse("05 82 00")));
        await Assert.ThrowsAsync<InvalidDataException>(() => RewriteAsync(input));
    }

    [Fact]
    public async Task Header_block_beyond_256_KiB_aborts_before_it_is_buffered()
    {
        var input = new Pipe();
        var output = new Pipe();
        Task run = Http2AuthorityRewriter.RunAsync(input.Reader, output.Writer, 4096, CancellationToken.None);

        // Only the frame header of a 300 KB HEADERS frame: refused without waiting for the payload.
        await input.Writer.WriteAsync(Http2TestFrame.Concat(Http2TestFrame.Preface, Hex.Parse("04 93e0 01 04 0000 0001")));

        await run.WaitAsync(s_timeout);
        await Assert.ThrowsAsync<InvalidDataException>(() => ReadAllAsync(output.Reader));
    }

    [Fact]
    public async Task Cancellation_completes_both_pipes()
    {
        var input = new Pipe();
        var output = new Pipe();
        using var cancel = new CancellationTokenSource();
        Task run = Http2AuthorityRewriter.RunAsync(input.Reader, output.Writer, 4096, cancel.Token);
        await input.Writer.WriteAsync(Http2TestFrame.Preface);

        await cancel.CancelAsync();
        await run.WaitAsync(s_timeout);

        // The client side sees its reader gone: further writes report completion.
        FlushResult flush = await input.Writer.WriteAsync(new byte[1]);
        Assert.True(flush.IsCompleted);
    }

    internal static List<HpackHeaderField> GoClientFields(string authority) =>
    [
        F(":method", "POST"),
        F(":scheme", "http"),
        F(":path", "/runtime.v1.RuntimeService/Version"),
        F(":authority", authority),
        F("content-type", "application/grpc"),
        F("user-agent", "grpc-go/1.30.0"),
        F("te", "trailers"),
    ];

    /// <summary>
    /// What grpc-go sends for two unary calls: the first block adds its fields to the dynamic
    /// table, Huffman coded; the second refers to those entries by index.
    /// </summary>
    internal static byte[] GoClientConversation()
    {
        List<HpackHeaderField> fields = GoClientFields("/var/run/crio/crio.sock");
        byte[] first = Http2TestFrame.Block(b =>
        {
            HpackTestEncoder.Indexed(3, b); // :method POST
            HpackTestEncoder.Indexed(6, b); // :scheme http
            HpackTestEncoder.Incremental(fields[2], huffman: true, b, nameIndex: 4);
            HpackTestEncoder.Incremental(fields[3], huffman: true, b, nameIndex: 1);
            HpackTestEncoder.Incremental(fields[4], huffman: true, b, nameIndex: 31);
            HpackTestEncoder.Incremental(fields[5], huffman: true, b, nameIndex: 58);
            HpackTestEncoder.Incremental(fields[6], huffman: true, b);
        });

        // The dynamic table is now, newest first: te 62, user-agent 63, content-type 64, :authority 65, :path 66.
        byte[] second = Http2TestFrame.Block(b =>
        {
            HpackTestEncoder.Indexed(3, b);
            HpackTestEncoder.Indexed(6, b);
            foreach (int index in new[] { 66, 65, 64, 63, 62 })
            {
                HpackTestEncoder.Indexed(index, b);
            }
        });

        return Conversation(
            s_clientSettings,
            new Http2TestFrame(Http2TestFrame.Headers, EndHeaders, 1, first),
            s_data,
            new Http2TestFrame(Http2TestFrame.Headers, EndHeaders | EndStream, 3, second));
    }

    internal static List<HpackHeaderField> DecodeFresh(byte[] block)
    {
        HpackEncoderTests.AssertOnlyNonIndexingRepresentations(block);
        var decoder = new HpackDecoder(4096);
        var fields = new List<HpackHeaderField>();
        decoder.Decode(block, fields);
        Assert.Equal(0, decoder.DynamicTable.Count);
        return fields;
    }

    private static byte[] Conversation(params Http2TestFrame[] frames) =>
        Http2TestFrame.Concat([Http2TestFrame.Preface, .. frames.Select(f => f.ToBytes())]);

    private static List<Http2TestFrame> ParseOutput(byte[] output)
    {
        Assert.Equal(Http2TestFrame.Preface, output[..Http2TestFrame.Preface.Length]);
        return Http2TestFrame.ParseAll(output.AsSpan(Http2TestFrame.Preface.Length));
    }

    private static async Task<byte[]> RewriteAsync(byte[] input, int chunkSize = int.MaxValue)
    {
        var clientToRewriter = new Pipe();
        var rewriterToKestrel = new Pipe(new PipeOptions(pauseWriterThreshold: 0));
        Task run = Http2AuthorityRewriter.RunAsync(clientToRewriter.Reader, rewriterToKestrel.Writer, 4096, CancellationToken.None);

        for (int offset = 0; offset < input.Length; offset += chunkSize)
        {
            await clientToRewriter.Writer.WriteAsync(input.AsMemory(offset, Math.Min(chunkSize, input.Length - offset)));
        }

        await clientToRewriter.Writer.CompleteAsync();
        await run.WaitAsync(s_timeout);
        return await ReadAllAsync(rewriterToKestrel.Reader);
    }

    private static async Task<byte[]> ReadAllAsync(PipeReader reader)
    {
        while (true)
        {
            ReadResult result = await reader.ReadAsync().AsTask().WaitAsync(s_timeout);
            if (result.IsCompleted)
            {
                byte[] all = result.Buffer.ToArray();
                reader.AdvanceTo(result.Buffer.End);
                return all;
            }

            reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
        }
    }

    private static async Task<byte[]> ReadAtLeastAsync(PipeReader reader, int count)
    {
        ReadResult result = await reader.ReadAtLeastAsync(count).AsTask().WaitAsync(s_timeout);
        byte[] bytes = result.Buffer.ToArray();
        reader.AdvanceTo(result.Buffer.End);
        return bytes;
    }

    private sealed class FrameComparer : IEqualityComparer<Http2TestFrame>
    {
        public static readonly FrameComparer Instance = new();

        public bool Equals(Http2TestFrame? x, Http2TestFrame? y) =>
            x is not null && y is not null
            && (x.Type, x.Flags, x.StreamId) == (y.Type, y.Flags, y.StreamId)
            && x.Payload.AsSpan().SequenceEqual(y.Payload);

        public int GetHashCode(Http2TestFrame obj) => HashCode.Combine(obj.Type, obj.Flags, obj.StreamId, obj.Payload.Length);
    }
}
