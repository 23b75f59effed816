using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using CriO.Server.Streaming.Spdy;
using ICSharpCode.SharpZipLib.Checksum;

namespace CriO.Server.Tests.Streaming;

/// <summary>
/// The SPDY/3.1 layer against hand-made frames over a real loopback connection: header
/// compression with the SPDY dictionary, stream open/reply/data/FIN, pings, refused stream
/// ids, flow control both ways, and the idle timeout. (The e2e suite checks it against an
/// independent client, npm's spdy-transport.)
/// </summary>
public sealed class SpdyTests
{
    [Fact]
    public void The_header_dictionary_is_the_SPDY3_one()
    {
        var adler = new Adler32();
        adler.Update(SpdyHeaderDictionary.Bytes);
        Assert.Equal(1423, SpdyHeaderDictionary.Bytes.Length);
        Assert.Equal(0xe3c6a7c2, adler.Value);
        Assert.Equal(SpdyHeaderDictionary.Adler32, adler.Value);
    }

    [Fact]
    public void Header_blocks_go_through_one_compression_stream_in_order()
    {
        var sender = new SpdyHeaderCodec();
        var receiver = new SpdyHeaderCodec();
        for (var i = 0; i < 3; i++)
        {
            var block = sender.Encode([new("streamtype", "data"), new("port", "80"), new("requestid", $"{i}"), new("multi", "a\0b")]);
            var headers = receiver.Decode(block);
            Assert.Equal("data", headers.Get("StreamType"));
            Assert.Equal($"{i}", headers.Get("requestid"));
            Assert.Equal("a", headers.Get("multi"));
        }

        Assert.Throws<InvalidDataException>(() => new SpdyHeaderCodec().Decode([1, 2, 3, 4]));
    }

    // Go's SPDY framer inflates each frame's block from that frame's bytes alone and fails the
    // connection when the inflater would read one bit past them: the blocks we send must be
    // whole in themselves, with nothing held back for the next frame.
    [Fact]
    public void Each_header_block_we_send_is_whole_in_its_own_bytes()
    {
        var sender = new SpdyHeaderCodec();
        var first = sender.Encode([new(":status", "200"), new(":version", "HTTP/1.1")]);
        Assert.Equal([0x78, 0x3f], first[..2]);
        Assert.Equal(0, ((first[0] << 8) | first[1]) % 31);
        Assert.Equal(SpdyHeaderDictionary.Adler32, BinaryPrimitives.ReadUInt32BigEndian(first.AsSpan(2)));

        var inflater = new ICSharpCode.SharpZipLib.Zip.Compression.Inflater();
        var output = new byte[4096];
        foreach (var block in new[] { first, sender.Encode([new(":status", "200")]), sender.Encode([new("streamtype", "stdout")]) })
        {
            // Past the stream header: a stored block (a 0 byte, LEN, ~LEN, LEN bytes), then the
            // empty stored block that ends a sync flush, whose header Go must find in this frame.
            var at = block == first ? 6 : 0;
            var length = BinaryPrimitives.ReadUInt16LittleEndian(block.AsSpan(at + 1));
            Assert.Equal(0, block[at]);
            Assert.Equal((ushort)~length, BinaryPrimitives.ReadUInt16LittleEndian(block.AsSpan(at + 3)));
            Assert.Equal(block.Length, at + 5 + length + 5);
            Assert.Equal([0x00, 0x00, 0x00, 0xff, 0xff], block[^5..]);

            inflater.SetInput(block);
            var produced = 0;
            int count;
            while ((count = inflater.Inflate(output, produced, output.Length - produced)) > 0 || inflater.IsNeedingDictionary)
            {
                if (inflater.IsNeedingDictionary)
                {
                    inflater.SetDictionary(SpdyHeaderDictionary.Bytes);
                }

                produced += count;
            }

            Assert.True(inflater.IsNeedingInput);
            Assert.Equal(length, produced);
        }
    }

    [Fact]
    public void Resize_sizes_sent_back_to_back_are_taken_one_by_one()
    {
        var pending = Encoding.ASCII.GetBytes("{\"Width\":100,\"Height\":40}\n{\"Width\":80,").ToList();
        Assert.Equal("{\"Width\":100,\"Height\":40}", Encoding.ASCII.GetString(SpdyRemoteCommand.TakeObject(pending)!));
        Assert.Null(SpdyRemoteCommand.TakeObject(pending));
        pending.AddRange(Encoding.ASCII.GetBytes("\"Height\":24}"));
        Assert.Equal("{\"Width\":80,\"Height\":24}", Encoding.ASCII.GetString(SpdyRemoteCommand.TakeObject(pending)!).Trim());
    }

    [Fact]
    public async Task A_client_stream_is_replied_to_carries_data_both_ways_and_ends_with_FIN()
    {
        await using var pair = await LoopbackPair.StartAsync();
        await pair.Client.OpenAsync(1, ("streamtype", "stdin"));
        var stream = await pair.Server.AcceptAsync(Timeout);
        Assert.NotNull(stream);
        Assert.Equal("stdin", stream.Headers.Get("streamtype"));

        await stream.ReplyAsync(Timeout);
        var reply = await pair.Client.ReadFrameAsync();
        Assert.Equal((SpdyFrames.SynReply, 1), (reply.Type, reply.StreamId));
        Assert.Equal("200", pair.Client.Headers.Decode(reply.Payload.AsSpan(4)).Get(":status"));

        await pair.Client.SendDataAsync(1, "hello"u8.ToArray(), fin: true);
        Assert.Equal("hello", Encoding.ASCII.GetString((await stream.ReadAsync(Timeout))!.Value.Span));
        Assert.Null(await stream.ReadAsync(Timeout));

        await stream.WriteAsync("out"u8.ToArray(), Timeout);
        await stream.CloseWriteAsync(Timeout);
        var data = await pair.Client.ReadFrameAsync();
        Assert.Equal((-1, 1, "out"), (data.Type, data.StreamId, Encoding.ASCII.GetString(data.Payload)));
        var fin = await pair.Client.ReadFrameAsync();
        Assert.Equal((1, SpdyFrames.FlagFin, 0), (fin.StreamId, fin.Flags, fin.Payload.Length));
    }

    [Fact]
    public async Task Client_pings_are_echoed_and_bad_stream_ids_are_reset()
    {
        await using var pair = await LoopbackPair.StartAsync();
        await pair.Client.SendControlAsync(SpdyFrames.Ping, 0, [0, 0, 0, 7]);
        var ping = await pair.Client.ReadFrameAsync();
        Assert.Equal((SpdyFrames.Ping, 7), (ping.Type, BinaryPrimitives.ReadInt32BigEndian(ping.Payload)));

        await pair.Client.OpenAsync(2, ("streamtype", "error"));
        var reset = await pair.Client.ReadFrameAsync();
        Assert.Equal((SpdyFrames.RstStream, 2, SpdyFrames.ProtocolError), (reset.Type, reset.StreamId, BinaryPrimitives.ReadInt32BigEndian(reset.Payload.AsSpan(4))));

        // The refused stream's header block still went through the decoder: the next one decodes.
        await pair.Client.OpenAsync(3, ("streamtype", "error"));
        Assert.Equal("error", (await pair.Server.AcceptAsync(Timeout))!.Headers.Get("streamtype"));
    }

    [Fact]
    public async Task A_client_that_keeps_windows_gets_no_more_than_its_window()
    {
        await using var pair = await LoopbackPair.StartAsync();
        var settings = new byte[12];
        BinaryPrimitives.WriteInt32BigEndian(settings, 1);
        settings[7] = SpdyFrames.SettingsInitialWindowSize;
        BinaryPrimitives.WriteInt32BigEndian(settings.AsSpan(8), 10);
        await pair.Client.SendControlAsync(SpdyFrames.Settings, 0, settings);
        await pair.Client.OpenAsync(1, ("streamtype", "stdout"));
        var stream = (await pair.Server.AcceptAsync(Timeout))!;

        var writing = stream.WriteAsync(new byte[25], Timeout);
        var first = await pair.Client.ReadFrameAsync();
        Assert.Equal(10, first.Payload.Length);
        await Task.Delay(200);
        Assert.False(writing.IsCompleted);

        await pair.Client.SendWindowUpdateAsync(1, 100);
        var rest = await pair.Client.ReadFrameAsync();
        Assert.Equal(15, rest.Payload.Length);
        await writing;
    }

    [Fact]
    public async Task Window_is_given_back_as_data_is_read()
    {
        await using var pair = await LoopbackPair.StartAsync();
        await pair.Client.OpenAsync(1, ("streamtype", "stdin"));
        var stream = (await pair.Server.AcceptAsync(Timeout))!;
        await pair.Client.SendDataAsync(1, new byte[40 * 1024], fin: false);
        Assert.Equal(40 * 1024, (await stream.ReadAsync(Timeout))!.Value.Length);

        var updates = new Dictionary<int, int>();
        while (updates.Count < 2)
        {
            var frame = await pair.Client.ReadFrameAsync();
            Assert.Equal(SpdyFrames.WindowUpdate, frame.Type);
            updates[frame.StreamId] = BinaryPrimitives.ReadInt32BigEndian(frame.Payload.AsSpan(4));
        }

        Assert.Equal(40 * 1024, updates[1]);
        Assert.Equal(40 * 1024, updates[0]);
    }

    [Fact]
    public async Task An_idle_connection_ends_after_the_idle_timeout()
    {
        await using var pair = await LoopbackPair.StartAsync(TimeSpan.FromMilliseconds(300));
        await pair.Server.Completion.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Null(await pair.Server.AcceptAsync(Timeout));
    }

    private static CancellationToken Timeout => new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token;

    private sealed record Frame(int Type, int StreamId, byte Flags, byte[] Payload);

    /// <summary>A server connection and a raw client over loopback TCP.</summary>
    private sealed class LoopbackPair : IAsyncDisposable
    {
        private readonly TcpClient _client;
        private readonly TcpClient _accepted;

        private LoopbackPair(TcpClient client, TcpClient accepted, TimeSpan idle)
        {
            _client = client;
            _accepted = accepted;
            Server = new SpdyConnection(accepted.GetStream(), idle, TimeProvider.System);
            Client = new RawClient(client.GetStream());
        }

        public SpdyConnection Server { get; }

        public RawClient Client { get; }

        public static async Task<LoopbackPair> StartAsync(TimeSpan idle = default)
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var client = new TcpClient();
            await client.ConnectAsync((IPEndPoint)listener.LocalEndpoint);
            return new LoopbackPair(client, await listener.AcceptTcpClientAsync(), idle);
        }

        public async ValueTask DisposeAsync()
        {
            await Server.DisposeAsync();
            _client.Dispose();
            _accepted.Dispose();
        }
    }

    private sealed class RawClient(NetworkStream stream)
    {
        public SpdyHeaderCodec Headers { get; } = new();

        public Task OpenAsync(int id, params (string Name, string Value)[] headers)
        {
            var block = Headers.Encode([.. headers.Select(h => new KeyValuePair<string, string>(h.Name, h.Value))]);
            var payload = new byte[10 + block.Length];
            BinaryPrimitives.WriteInt32BigEndian(payload, id);
            block.CopyTo(payload, 10);
            return SendControlAsync(SpdyFrames.SynStream, 0, payload);
        }

        public async Task SendControlAsync(ushort type, byte flags, byte[] payload)
        {
            var head = new byte[] { 0x80, SpdyFrames.Version, (byte)(type >> 8), (byte)type, flags, (byte)(payload.Length >> 16), (byte)(payload.Length >> 8), (byte)payload.Length };
            await stream.WriteAsync(head.Concat(payload).ToArray());
        }

        public async Task SendDataAsync(int id, byte[] data, bool fin)
        {
            var head = new byte[8];
            BinaryPrimitives.WriteInt32BigEndian(head, id);
            head[4] = fin ? SpdyFrames.FlagFin : (byte)0;
            head[5] = (byte)(data.Length >> 16);
            head[6] = (byte)(data.Length >> 8);
            head[7] = (byte)data.Length;
            await stream.WriteAsync(head.Concat(data).ToArray());
        }

        public Task SendWindowUpdateAsync(int id, int delta)
        {
            var payload = new byte[8];
            BinaryPrimitives.WriteInt32BigEndian(payload, id);
            BinaryPrimitives.WriteInt32BigEndian(payload.AsSpan(4), delta);
            return SendControlAsync(SpdyFrames.WindowUpdate, 0, payload);
        }

        /// <summary>The next frame; Type is -1 for data frames. StreamId is read from the payload's first word for control frames that have one.</summary>
        public async Task<Frame> ReadFrameAsync()
        {
            var head = new byte[8];
            await stream.ReadExactlyAsync(head).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
            var payload = new byte[(head[5] << 16) | (head[6] << 8) | head[7]];
            await stream.ReadExactlyAsync(payload);
            if ((head[0] & 0x80) == 0)
            {
                return new Frame(-1, BinaryPrimitives.ReadInt32BigEndian(head), head[4], payload);
            }

            var type = (head[2] << 8) | head[3];
            var id = type is SpdyFrames.SynReply or SpdyFrames.RstStream or SpdyFrames.WindowUpdate ? BinaryPrimitives.ReadInt32BigEndian(payload) : 0;
            return new Frame(type, id, head[4], payload);
        }
    }
}
