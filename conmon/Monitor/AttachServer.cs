using CriO.Conmon.Client.Interop;
using CriO.Conmon.Monitor.Interop;
using CriO.Storage.Interop;

namespace CriO.Conmon.Monitor;

/// <summary>
/// The attach socket (BUNDLE/attach, SOCK_SEQPACKET), reached by clients as
/// SOCKET_DIR/UUID/attach through a symlink to the bundle (sun_path is short). Every client gets
/// the container's output as packets of one stream byte (2 stdout, 3 stderr: upstream's
/// numbers, 1 being stdin) and the data; what a client sends is the container's stdin. A client
/// that cannot keep up loses packets rather than stalling the log.
/// </summary>
/// <remarks>
/// A client that shuts down its writing side (the daemon does when its user's stdin ends) has
/// finished its input, not its session: it goes on getting the output, as with upstream conmon,
/// until a packet cannot reach it any more (it has closed) or the monitor ends.
/// </remarks>
internal sealed class AttachServer : IDisposable
{
    public const byte StdoutStream = 2;
    public const byte StderrStream = 3;

    private readonly string _socketPath;
    private readonly List<SafeFd> _clients = [];
    private readonly HashSet<SafeFd> _inputEnded = [];
    private readonly byte[] _packet = new byte[ContainerMonitor.ReadSize + 1];

    public AttachServer(string bundle, string socketDirectory, string uuid, bool fullAttach)
    {
        _socketPath = Path.Join(bundle, "attach");
        if (!fullAttach && socketDirectory.Length > 0)
        {
            Directory.CreateDirectory(socketDirectory);
            var link = Path.Join(socketDirectory, uuid);
            if (File.Exists(link) || Directory.Exists(link))
            {
                File.Delete(link);
            }

            File.CreateSymbolicLink(link, bundle);
        }

        Listener = MonitorCalls.ListenSeqpacket(bundle, "attach");
    }

    public SafeFd Listener { get; }

    public IReadOnlyList<SafeFd> Clients => _clients;

    /// <summary>Takes a waiting client; null when there was none after all.</summary>
    public SafeFd? Accept()
    {
        var client = SocketCalls.Accept(Listener);
        if (client is not null)
        {
            _clients.Add(client);
        }

        return client;
    }

    public void Drop(SafeFd client)
    {
        _clients.Remove(client);
        _inputEnded.Remove(client);
        client.Dispose();
    }

    /// <summary>The client has sent its last input; it keeps getting the output.</summary>
    public void EndInput(SafeFd client) => _inputEnded.Add(client);

    public void Broadcast(byte stream, ReadOnlySpan<byte> data)
    {
        if (_clients.Count == 0)
        {
            return;
        }

        _packet[0] = stream;
        data.CopyTo(_packet.AsSpan(1));
        var packet = _packet.AsSpan(0, data.Length + 1);
        List<SafeFd>? gone = null;
        foreach (var client in _clients)
        {
            // A client still sending is dropped when it reads EOF; one whose input has ended is
            // watched no more, so a packet it cannot take is how its close is noticed.
            if (!MonitorCalls.SendPacket(client, packet) && _inputEnded.Contains(client))
            {
                (gone ??= []).Add(client);
            }
        }

        foreach (var client in gone ?? [])
        {
            Drop(client);
        }
    }

    public void Dispose()
    {
        foreach (var client in _clients)
        {
            client.Dispose();
        }

        _clients.Clear();
        _inputEnded.Clear();
        Listener.Dispose();
        File.Delete(_socketPath);
    }
}
