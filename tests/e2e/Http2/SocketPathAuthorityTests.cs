using System.Buffers.Binary;
using System.Text;
using CriO.Cri;
using CriO.E2E.Tests.Fixtures;
using CriO.Server.Http2;
using CriO.Server.Tests.Http2;

namespace CriO.E2E.Tests.Http2;

/// <summary>
/// Go gRPC clients of the kubelet 1.30 era send the socket path as <c>:authority</c>, which
/// Kestrel alone resets with PROTOCOL_ERROR. These tests speak HTTP/2 to the real crio the way
/// such a client does, and call Version twice on one connection: the first request adds the
/// headers to the HPACK dynamic table, the second only refers to the table entries.
/// </summary>
public class SocketPathAuthorityTests
{
    private const byte EndStream = 0x1;
    private const byte EndHeaders = 0x4;
    private const byte Ack = 0x1;

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Version_answers_twice_with_the_socket_path_as_authority_indexed_then_referenced(bool huffman)
    {
        using var folder = new CrioFolder();
        await using var crio = await CrioProcess.StartAsync(folder);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var client = await Http2RawClient.ConnectAsync(folder.Socket, timeout.Token);

        await client.SendAsync(Http2TestFrame.Concat(
            Http2TestFrame.Preface,
            new Http2TestFrame(Http2TestFrame.Settings, 0, 0, []).ToBytes(),
            new Http2TestFrame(Http2TestFrame.Headers, EndHeaders, 1, FirstRequestHeaders(folder.Socket, huffman)).ToBytes(),
            new Http2TestFrame(Http2TestFrame.Data, EndStream, 1, EmptyVersionRequest()).ToBytes(),
            new Http2TestFrame(Http2TestFrame.Headers, EndHeaders, 3, SecondRequestHeaders()).ToBytes(),
            new Http2TestFrame(Http2TestFrame.Data, EndStream, 3, EmptyVersionRequest()).ToBytes()), timeout.Token);
        var responses = await ReadResponsesAsync(client, [1, 3], timeout.Token);

        foreach (var stream in new[] { 1, 3 })
        {
            var response = responses[stream];
            Assert.Null(response.ResetCode);
            Assert.Equal("200", response.Headers[":status"]);
            Assert.Equal("0", response.Headers["grpc-status"]);
            var version = VersionResponse.Parser.ParseFrom(response.Body.AsSpan(5).ToArray());
            Assert.Equal("crio", version.RuntimeName);
            Assert.Equal("v1", version.RuntimeApiVersion);
        }
    }

    // The request headers, each literal added to the dynamic table (RFC 7541 §6.2.1), with the
    // names taken from the static table where it has them, as grpc-go's encoder does.
    private static byte[] FirstRequestHeaders(string socketPath, bool huffman) => Http2TestFrame.Block(b =>
    {
        HpackTestEncoder.Indexed(3, b); // :method POST
        HpackTestEncoder.Indexed(6, b); // :scheme http
        HpackTestEncoder.Incremental(HpackHeaderField.FromAscii(":path", "/runtime.v1.RuntimeService/Version"), huffman, b, nameIndex: 4);
        HpackTestEncoder.Incremental(HpackHeaderField.FromAscii(":authority", socketPath), huffman, b, nameIndex: 1);
        HpackTestEncoder.Incremental(HpackHeaderField.FromAscii("content-type", "application/grpc"), huffman, b, nameIndex: 31);
        HpackTestEncoder.Incremental(HpackHeaderField.FromAscii("te", "trailers"), huffman, b);
    });

    // Dynamic table after the first request, newest first: 62 te, 63 content-type, 64 :authority, 65 :path.
    private static byte[] SecondRequestHeaders() => Http2TestFrame.Block(b =>
    {
        HpackTestEncoder.Indexed(3, b);
        HpackTestEncoder.Indexed(6, b);
        HpackTestEncoder.Indexed(65, b);
        HpackTestEncoder.Indexed(64, b);
        HpackTestEncoder.Indexed(63, b);
        HpackTestEncoder.Indexed(62, b);
    });

    // A gRPC message frame: not compressed, length 0 (an empty VersionRequest).
    private static byte[] EmptyVersionRequest() => new byte[5];

    private static async Task<Dictionary<int, Response>> ReadResponsesAsync(Http2RawClient client, int[] streams, CancellationToken cancellationToken)
    {
        var decoder = new HpackDecoder(4096);
        var responses = streams.ToDictionary(s => s, _ => new Response());
        while (responses.Values.Any(r => !r.Done))
        {
            var frame = await client.ReadFrameAsync(cancellationToken)
                ?? throw new InvalidOperationException("crio closed the connection");
            switch (frame.Type)
            {
                case Http2TestFrame.Settings when !frame.HasFlag(Ack):
                    await client.SendAsync(new Http2TestFrame(Http2TestFrame.Settings, Ack, 0, []).ToBytes(), cancellationToken);
                    continue;
                case Http2TestFrame.GoAway:
                    throw new InvalidOperationException($"GOAWAY, error {BinaryPrimitives.ReadInt32BigEndian(frame.Payload.AsSpan(4))}");
                case Http2TestFrame.Headers:
                    // Response and trailers are decoded in order: the server's encoder may index too.
                    var fields = new List<HpackHeaderField>();
                    decoder.Decode(frame.Payload, fields);
                    foreach (var field in fields)
                    {
                        responses[frame.StreamId].Headers[Encoding.ASCII.GetString(field.Name)] = Encoding.ASCII.GetString(field.Value);
                    }

                    break;
                case Http2TestFrame.Data when responses.ContainsKey(frame.StreamId):
                    responses[frame.StreamId].Body = [.. responses[frame.StreamId].Body, .. frame.Payload];
                    break;
                case Http2TestFrame.RstStream when responses.ContainsKey(frame.StreamId):
                    responses[frame.StreamId].ResetCode = BinaryPrimitives.ReadInt32BigEndian(frame.Payload);
                    responses[frame.StreamId].Done = true;
                    continue;
                default:
                    continue;
            }

            if (frame.HasFlag(EndStream) && responses.TryGetValue(frame.StreamId, out var ended))
            {
                ended.Done = true;
            }
        }

        return responses;
    }

    private sealed class Response
    {
        public Dictionary<string, string> Headers { get; } = new(StringComparer.Ordinal);

        public byte[] Body { get; set; } = [];

        public int? ResetCode { get; set; }

        public bool Done { get; set; }
    }
}
