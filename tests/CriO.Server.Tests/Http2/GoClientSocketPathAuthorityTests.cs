using System.Buffers.Binary;
using System.Text;
using CriO.Server.Http2;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace CriO.Server.Tests.Http2;

/// <summary>
/// Real Kestrel on a unix socket, spoken to as grpc-go speaks: <c>:authority</c> set to the
/// socket path, fields added to the dynamic table and referred to by index on the next stream.
/// </summary>
public sealed class GoClientSocketPathAuthorityTests : IDisposable
{
    private const int ProtocolError = 0x1;

    private readonly string _directory = Directory.CreateTempSubdirectory("crio-h2-").FullName;

    [Fact]
    public async Task Kestrel_serves_socket_path_authority_with_the_middleware()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        string socketPath = Path.Combine(_directory, "crio.sock");
        await using WebApplication app = await TestKestrel.StartAsync(socketPath, rewrite: true, HostAnswer, timeout.Token);
        await using Http2RawClient client = await Http2RawClient.ConnectAsync(socketPath, timeout.Token);

        await client.SendAsync(ClientBytes(), timeout.Token);
        Dictionary<int, Response> responses = await ReadResponsesAsync(client, [1, 3], timeout.Token);

        foreach (int stream in new[] { 1, 3 })
        {
            Assert.Null(responses[stream].ResetCode);
            Assert.Equal("200", responses[stream].Status);
            Assert.Equal("host=localhost", responses[stream].Body);
        }
    }

    /// <summary>
    /// Why the middleware exists. If a Kestrel release starts accepting such an authority, this
    /// fails, and the middleware may be retired.
    /// </summary>
    [Fact]
    public async Task Kestrel_resets_socket_path_authority_without_the_middleware()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        string socketPath = Path.Combine(_directory, "crio.sock");
        await using WebApplication app = await TestKestrel.StartAsync(socketPath, rewrite: false, HostAnswer, timeout.Token);
        await using Http2RawClient client = await Http2RawClient.ConnectAsync(socketPath, timeout.Token);

        await client.SendAsync(ClientBytes(), timeout.Token);
        Dictionary<int, Response> responses = await ReadResponsesAsync(client, [1], timeout.Token);

        Assert.Equal(ProtocolError, responses[1].ResetCode);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static string HostAnswer(HttpContext context) => $"host={context.Request.Host.Value}";

    // Both requests are GETs with END_STREAM; stream 3 refers to stream 1's entries by index.
    private static byte[] ClientBytes()
    {
        HpackHeaderField authority = HpackHeaderField.FromAscii(":authority", "/var/run/crio/crio.sock");
        HpackHeaderField userAgent = HpackHeaderField.FromAscii("user-agent", "grpc-go/1.30.0");
        byte[] first = Http2TestFrame.Block(b =>
        {
            HpackTestEncoder.Indexed(2, b); // :method GET
            HpackTestEncoder.Indexed(6, b); // :scheme http
            HpackTestEncoder.Indexed(4, b); // :path /
            HpackTestEncoder.Incremental(authority, huffman: true, b, nameIndex: 1);
            HpackTestEncoder.Incremental(userAgent, huffman: true, b, nameIndex: 58);
        });
        byte[] second = Http2TestFrame.Block(b =>
        {
            HpackTestEncoder.Indexed(2, b);
            HpackTestEncoder.Indexed(6, b);
            HpackTestEncoder.Indexed(4, b);
            HpackTestEncoder.Indexed(63, b); // :authority, from the dynamic table
            HpackTestEncoder.Indexed(62, b); // user-agent
        });

        return Http2TestFrame.Concat(
            Http2TestFrame.Preface,
            new Http2TestFrame(Http2TestFrame.Settings, 0, 0, []).ToBytes(),
            new Http2TestFrame(Http2TestFrame.Headers, 0x5, 1, first).ToBytes(),
            new Http2TestFrame(Http2TestFrame.Headers, 0x5, 3, second).ToBytes());
    }

    private static async Task<Dictionary<int, Response>> ReadResponsesAsync(
        Http2RawClient client, int[] streams, CancellationToken cancellationToken)
    {
        var decoder = new HpackDecoder(4096);
        var responses = streams.ToDictionary(s => s, _ => new Response());
        while (responses.Values.Any(r => !r.Done))
        {
            Http2TestFrame frame = await client.ReadFrameAsync(cancellationToken)
                ?? throw new InvalidOperationException("Kestrel closed the connection.");
            if (frame.Type == Http2TestFrame.GoAway)
            {
                throw new InvalidOperationException($"GOAWAY, error {BinaryPrimitives.ReadInt32BigEndian(frame.Payload.AsSpan(4))}.");
            }

            if (!responses.TryGetValue(frame.StreamId, out Response? response))
            {
                continue;
            }

            switch (frame.Type)
            {
                case Http2TestFrame.Headers:
                    // Kestrel sends END_HEADERS on its HEADERS for responses this small.
                    var fields = new List<HpackHeaderField>();
                    decoder.Decode(frame.Payload, fields);
                    response.Status ??= fields.Where(f => f.Name.AsSpan().SequenceEqual(":status"u8))
                        .Select(f => Encoding.ASCII.GetString(f.Value)).FirstOrDefault();
                    break;
                case Http2TestFrame.Data:
                    response.Body += Encoding.UTF8.GetString(frame.Payload);
                    break;
                case Http2TestFrame.RstStream:
                    response.ResetCode = BinaryPrimitives.ReadInt32BigEndian(frame.Payload);
                    response.Done = true;
                    break;
            }

            if (frame.HasFlag(0x1))
            {
                response.Done = true;
            }
        }

        return responses;
    }

    private sealed class Response
    {
        public string? Status { get; set; }

        public string Body { get; set; } = string.Empty;

        public int? ResetCode { get; set; }

        public bool Done { get; set; }
    }
}
