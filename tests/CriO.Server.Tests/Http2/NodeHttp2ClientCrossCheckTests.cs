using CriO.Tests.Shared;
using Microsoft.AspNetCore.Builder;

namespace CriO.Server.Tests.Http2;

/// <summary>
/// Cross-check with an HPACK encoder that is not ours: Node's built-in http2 client (nghttp2)
/// sends the socket path as <c>:authority</c> over several requests on one connection, indexing
/// and Huffman-coding as it sees fit. Node ships with the dotnet machine image.
/// </summary>
public sealed class NodeHttp2ClientCrossCheckTests : IDisposable
{
    private const string ClientScript = """
        const http2 = require('http2');
        const net = require('net');
        const socketPath = process.argv[2];
        const session = http2.connect('http://localhost', { createConnection: () => net.connect(socketPath) });
        session.on('error', e => { console.error('session: ' + e.message); process.exit(2); });
        function get(i) {
          return new Promise((resolve, reject) => {
            const headers = { ':path': '/', ':authority': socketPath, 'x-i': String(i), 'authorization': 'secret-' + i };
            headers[http2.sensitiveHeaders] = ['authorization'];
            const req = session.request(headers);
            let status, body = '';
            req.on('response', h => { status = h[':status']; });
            req.setEncoding('utf8');
            req.on('data', d => { body += d; });
            req.on('end', () => resolve(status + ' ' + body));
            req.on('error', reject);
            req.end();
          });
        }
        (async () => {
          for (let i = 0; i < 5; i++) console.log(await get(i));
          session.close();
        })().catch(e => { console.error(e.message); process.exit(1); });
        """;

    private readonly string _directory = Directory.CreateTempSubdirectory("crio-h2-node-").FullName;

    [Fact]
    public async Task Node_http2_client_with_socket_path_authority_is_served()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        string socketPath = Path.Combine(_directory, "crio.sock");
        string scriptPath = Path.Combine(_directory, "client.js");
        await File.WriteAllTextAsync(scriptPath, ClientScript, timeout.Token);

        await using WebApplication app = await TestKestrel.StartAsync(socketPath, rewrite: true, context =>
            $"host={context.Request.Host.Value} i={context.Request.Headers["x-i"]} auth={context.Request.Headers.Authorization}", timeout.Token);

        (int exitCode, string output, string errors) = await ChildProcess.RunAsync("node", [scriptPath, socketPath], timeout: TimeSpan.FromSeconds(30));

        Assert.True(exitCode == 0, errors);
        Assert.Equal(
            Enumerable.Range(0, 5).Select(i => $"200 host=localhost i={i} auth=secret-{i}"),
            output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
