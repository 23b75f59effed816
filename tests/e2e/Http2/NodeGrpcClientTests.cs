using System.Text.Json;
using CriO.Cri;
using CriO.E2E.Tests.Fixtures;
using CriO.Tests.Shared;

namespace CriO.E2E.Tests.Http2;

/// <summary>
/// The same calls from clients that share no code with ours: npm's @grpc/grpc-js, and Node's
/// built-in HTTP/2 (nghttp2's HPACK) sending the socket path as :authority.
/// </summary>
public class NodeGrpcClientTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Grpc_js_gets_a_Version_answer(bool socketPathAsAuthority)
    {
        using var folder = new CrioFolder();
        await using var crio = await CrioProcess.StartAsync(folder);
        string[] arguments = socketPathAsAuthority
            ? ["grpc-version.js", folder.Socket, RepositoryPaths.CriProto, folder.Socket]
            : ["grpc-version.js", folder.Socket, RepositoryPaths.CriProto];

        var output = await RunNodeAsync(arguments);

        using var answer = JsonDocument.Parse(output);
        Assert.Equal("crio", answer.RootElement.GetProperty("runtimeName").GetString());
        Assert.Equal("v1", answer.RootElement.GetProperty("runtimeApiVersion").GetString());
        Assert.Equal("0.1.0", answer.RootElement.GetProperty("version").GetString());
    }

    [Fact]
    public async Task Node_http2_with_the_socket_path_as_authority_gets_two_Version_answers_on_one_connection()
    {
        using var folder = new CrioFolder();
        await using var crio = await CrioProcess.StartAsync(folder);

        var output = await RunNodeAsync("http2-authority.js", folder.Socket);

        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        foreach (var line in lines)
        {
            using var result = JsonDocument.Parse(line);
            Assert.Equal(200, result.RootElement.GetProperty("status").GetInt32());
            Assert.Equal("0", result.RootElement.GetProperty("grpcStatus").GetString());
            var version = VersionResponse.Parser.ParseFrom(Convert.FromHexString(result.RootElement.GetProperty("messageHex").GetString()!));
            Assert.Equal("crio", version.RuntimeName);
        }
    }

    private static async Task<string> RunNodeAsync(params string[] arguments)
    {
        if (!Directory.Exists(Path.Combine(RepositoryPaths.NodeClients, "node_modules")))
        {
            throw new InvalidOperationException($"npm packages missing: run `npm ci` in {RepositoryPaths.NodeClients} (the README's test command does)");
        }

        var (exitCode, output, errors) = await ChildProcess.RunAsync("node", arguments, RepositoryPaths.NodeClients);
        Assert.True(exitCode == 0, $"node {string.Join(' ', arguments)} exited {exitCode}: {errors}");
        return output;
    }
}
