using System.Net.Sockets;
using CriO.Server.Interop;

namespace CriO.Server.Daemon;

/// <summary>
/// The CRI unix socket's file: its folder is created, a stale socket left by a killed daemon is
/// replaced, but a socket another live daemon serves is never taken over, and nothing that is
/// not a socket is deleted. Mode 0660: root and the socket's group may call the CRI.
/// </summary>
public static class CriSocket
{
    public const UnixFileMode Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite;

    public static async Task PrepareAsync(string path, CancellationToken cancellationToken)
    {
        var directory = Path.GetDirectoryName(path);
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        if (FileStatus.Of(path) is { IsSocket: true })
        {
            if (await IsServedAsync(path, cancellationToken).ConfigureAwait(false))
            {
                throw new IOException($"{path} is served by another running process (another crio?); stop it first or choose another --listen");
            }

            File.Delete(path);
        }
        else if (Path.Exists(path))
        {
            throw new IOException($"{path} exists and is not a socket; refusing to replace it");
        }
    }

    public static void Secure(string path) => File.SetUnixFileMode(path, Mode);

    public static void Remove(string path)
    {
        if (FileStatus.Of(path) is { IsSocket: true })
        {
            File.Delete(path);
        }
    }

    private static async Task<bool> IsServedAsync(string path, CancellationToken cancellationToken)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
