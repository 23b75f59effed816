using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using CriO.Cri;

namespace CriO.E2E.Tests.Streaming.Kubectl;

/// <summary>
/// A loopback stand-in for the API server and the kubelet in front of crio, so that kubectl's
/// own streaming clients (client-go's SPDY and WebSocket executors, its port-forward dialers)
/// reach crio's streaming server the way they do in a cluster: kubectl reads discovery and GETs
/// the pod here; its exec, attach and portforward upgrade requests are turned into crio's Exec,
/// Attach and PortForward calls, and the request is then handed on, headers and all, to the URL
/// crio returned, and the connection spliced byte for byte both ways (as the kubelet's
/// upgrade-aware proxy does). Nothing here speaks SPDY or WebSocket itself.
/// </summary>
internal sealed class KubeApiStandIn : IAsyncDisposable
{
    private const int MaxHead = 64 * 1024;
    private static readonly byte[] EndOfHead = "\r\n\r\n"u8.ToArray();

    private readonly RuntimeService.RuntimeServiceClient _runtime;
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<string, StandInPod> _pods = new(StringComparer.Ordinal);
    private readonly ConcurrentBag<Task> _connections = [];
    private readonly Task _accepting;

    private KubeApiStandIn(RuntimeService.RuntimeServiceClient runtime)
    {
        _runtime = runtime;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    /// <summary>The address kubectl's kubeconfig names.</summary>
    public string Server => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    /// <summary>Each streaming upgrade handed on to crio: the subresource, the Upgrade header and protocols it asked for, its query.</summary>
    public ConcurrentQueue<(string Subresource, string Upgrade, string Protocols, string Query)> Upgrades { get; } = new();

    public static KubeApiStandIn Start(RuntimeService.RuntimeServiceClient runtime) => new(runtime);

    /// <summary>Makes a crio pod visible to kubectl under <paramref name="pod"/>'s name in namespace "default".</summary>
    public void Add(StandInPod pod) => _pods[pod.Name] = pod;

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Stop();
        await Task.WhenAll([_accepting, .. _connections]).WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(_ => { }, TaskScheduler.Default);
        _stopping.Dispose();
    }

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var client = await _listener.AcceptTcpClientAsync(_stopping.Token);
                _connections.Add(ServeAsync(client));
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
        {
            // Stopped.
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                var (head, rest) = await ReadHeadAsync(stream);
                if (head is null)
                {
                    return;
                }

                var request = StandInRequest.Parse(head);
                await RouteAsync(client, stream, request, rest);
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // kubectl went away, or the test ended.
            }
        }
    }

    private async Task RouteAsync(TcpClient client, NetworkStream stream, StandInRequest request, byte[] rest)
    {
        var segments = request.Path.Trim('/').Split('/');
        switch (segments)
        {
            case ["api"]:
                await AnswerAsync(stream, 200, new { kind = "APIVersions", versions = new[] { "v1" }, serverAddressByClientCIDRs = new[] { new { clientCIDR = "0.0.0.0/0", serverAddress = Server[7..] } } });
                break;
            case ["apis"]:
                await AnswerAsync(stream, 200, new { kind = "APIGroupList", apiVersion = "v1", groups = Array.Empty<object>() });
                break;
            case ["api", "v1"]:
                await AnswerAsync(stream, 200, Discovery.ResourceList);
                break;
            case ["api", "v1", "namespaces", "default", "pods", var name] when request.Method == "GET":
                await (_pods.TryGetValue(name, out var pod) ? AnswerAsync(stream, 200, pod.ToJson()) : NotFoundAsync(stream, name));
                break;
            case ["api", "v1", "namespaces", "default", "pods", var name, var subresource] when subresource is "exec" or "attach" or "portforward":
                if (!_pods.TryGetValue(name, out var target))
                {
                    await NotFoundAsync(stream, name);
                    break;
                }

                Upgrades.Enqueue((subresource, request.Header("Upgrade"), request.Header("Sec-WebSocket-Protocol") + request.Header("X-Stream-Protocol-Version"), request.QueryText));
                string url;
                try
                {
                    url = await StreamingUrlAsync(target, subresource, request);
                }
                catch (Grpc.Core.RpcException e)
                {
                    await AnswerAsync(stream, 500, new { kind = "Status", apiVersion = "v1", status = "Failure", message = e.Status.Detail, code = 500 });
                    break;
                }

                await ProxyAsync(client, stream, request, rest, new Uri(url));
                break;
            default:
                await AnswerAsync(stream, 404, new { kind = "Status", apiVersion = "v1", status = "Failure", message = $"{request.Path} is not served by the stand-in", reason = "NotFound", code = 404 });
                break;
        }
    }

    /// <summary>The CRI call the kubelet would make for the request; the URL of crio's streaming server it returns.</summary>
    private async Task<string> StreamingUrlAsync(StandInPod pod, string subresource, StandInRequest request)
    {
        var container = request.Query("container").FirstOrDefault() ?? pod.Containers[0].Name;
        var id = pod.Containers.First(c => c.Name == container).Id;
        bool Flag(string name) => request.Query(name).FirstOrDefault() is "true" or "1";
        return subresource switch
        {
            "exec" => (await _runtime.ExecAsync(new ExecRequest
            {
                ContainerId = id,
                Cmd = { request.Query("command") },
                Stdin = Flag("stdin"),
                Stdout = Flag("stdout"),
                Stderr = Flag("stderr"),
                Tty = Flag("tty"),
            })).Url,
            "attach" => (await _runtime.AttachAsync(new AttachRequest
            {
                ContainerId = id,
                Stdin = Flag("stdin"),
                Stdout = Flag("stdout"),
                Stderr = Flag("stderr"),
                Tty = Flag("tty"),
            })).Url,
            _ => (await _runtime.PortForwardAsync(new PortForwardRequest { PodSandboxId = pod.SandboxId })).Url,
        };
    }

    /// <summary>Sends the request on to <paramref name="target"/> unchanged but for its path and Host, then splices the two connections.</summary>
    private async Task ProxyAsync(TcpClient client, NetworkStream stream, StandInRequest request, byte[] rest, Uri target)
    {
        using var upstream = new TcpClient();
        await upstream.ConnectAsync(target.Host, target.Port, _stopping.Token);
        var upstreamStream = upstream.GetStream();
        var head = new StringBuilder($"{request.Method} {target.PathAndQuery} HTTP/1.1\r\nHost: {target.Authority}\r\n");
        foreach (var (name, value) in request.Headers.Where(h => !h.Name.Equals("Host", StringComparison.OrdinalIgnoreCase)))
        {
            head.Append(name).Append(": ").Append(value).Append("\r\n");
        }

        head.Append("\r\n");
        await upstreamStream.WriteAsync(Encoding.ASCII.GetBytes(head.ToString()), _stopping.Token);
        await upstreamStream.WriteAsync(rest, _stopping.Token);

        // Each way ends on its own: an end of input is handed on as a half-close.
        var up = CopyThenShutdownAsync(stream, upstream.Client);
        var down = CopyThenShutdownAsync(upstreamStream, client.Client);
        await Task.WhenAll(up, down);
    }

    private async Task CopyThenShutdownAsync(Stream from, Socket to)
    {
        try
        {
            await from.CopyToAsync(new NetworkStream(to, ownsSocket: false), _stopping.Token);
            to.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // One side has gone: the other way ends with it.
            to.Close();
        }
    }

    private static async Task<(byte[]? Head, byte[] Remainder)> ReadHeadAsync(NetworkStream stream)
    {
        var buffer = new byte[MaxHead];
        var filled = 0;
        while (filled < buffer.Length)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(filled));
            if (read == 0)
            {
                return (null, []);
            }

            filled += read;
            var end = buffer.AsSpan(0, filled).IndexOf(EndOfHead);
            if (end >= 0)
            {
                return (buffer[..end], buffer[(end + EndOfHead.Length)..filled]);
            }
        }

        throw new IOException($"a request head of more than {MaxHead} bytes");
    }

    private static Task NotFoundAsync(NetworkStream stream, string name) =>
        AnswerAsync(stream, 404, new { kind = "Status", apiVersion = "v1", status = "Failure", message = $"pods \"{name}\" not found", reason = "NotFound", code = 404 });

    private static async Task AnswerAsync(NetworkStream stream, int status, object body)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(body);
        var head = $"HTTP/1.1 {status} {(status == 200 ? "OK" : "Error")}\r\nContent-Type: application/json\r\nContent-Length: {json.Length}\r\nConnection: close\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
        await stream.WriteAsync(json);
    }

    /// <summary>The core group's resources kubectl needs to map "pod" and "pods" to the pods resource.</summary>
    private static class Discovery
    {
        public static readonly object ResourceList = new
        {
            kind = "APIResourceList",
            groupVersion = "v1",
            resources = new object[]
            {
                new { name = "pods", singularName = "pod", @namespaced = true, kind = "Pod", verbs = new[] { "get", "list" }, shortNames = new[] { "po" } },
                new { name = "pods/attach", singularName = "", @namespaced = true, kind = "PodAttachOptions", verbs = new[] { "create", "get" } },
                new { name = "pods/exec", singularName = "", @namespaced = true, kind = "PodExecOptions", verbs = new[] { "create", "get" } },
                new { name = "pods/portforward", singularName = "", @namespaced = true, kind = "PodPortForwardOptions", verbs = new[] { "create", "get" } },
            },
        };
    }
}
