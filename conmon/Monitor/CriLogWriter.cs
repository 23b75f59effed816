using System.Globalization;
using System.Text;
using CriO.Conmon.Client.Interop;
using CriO.Conmon.Monitor.Interop;
using CriO.Storage.Interop;

namespace CriO.Conmon.Monitor;

/// <summary>
/// The container's log in the kubelet's CRI format, one record per line of output:
/// <c>TIMESTAMP STREAM TAG TEXT\n</c>, the timestamp RFC 3339 with nanoseconds and the local
/// offset (as upstream conmon writes it), STREAM <c>stdout</c> or <c>stderr</c>, TAG <c>F</c> for
/// a full line and <c>P</c> for the part of a line a read ended in. With a size limit, a record
/// that would pass it truncates the file first, as upstream does.
/// </summary>
internal sealed class CriLogWriter : IDisposable
{
    private static readonly byte[] Stdout = "stdout"u8.ToArray();
    private static readonly byte[] Stderr = "stderr"u8.ToArray();

    private readonly string _path;
    private readonly long _sizeMax;
    private readonly byte[] _record = new byte[ContainerMonitor.ReadSize + 128];
    private SafeFd _file;
    private long _written;

    public CriLogWriter(string path, long sizeMax)
    {
        _path = path;
        _sizeMax = sizeMax;
        _file = MonitorCalls.OpenLog(path, truncate: false);
        _written = MonitorCalls.FileSize(_file);
    }

    /// <summary>Writes one read's worth of a stream's output as records.</summary>
    public void Write(bool isStderr, ReadOnlySpan<byte> data)
    {
        var timestamp = Timestamp();
        while (data.Length > 0)
        {
            var newline = data.IndexOf((byte)'\n');
            var full = newline >= 0;
            var text = full ? data[..newline] : data;
            WriteRecord(timestamp, isStderr ? Stderr : Stdout, full, text);
            data = full ? data[(newline + 1)..] : [];
        }
    }

    /// <summary>Closes the file and opens the path again (the kubelet has renamed the old one).</summary>
    public void Reopen()
    {
        _file.Dispose();
        _file = MonitorCalls.OpenLog(_path, truncate: false);
        _written = MonitorCalls.FileSize(_file);
    }

    public void Sync() => MonitorCalls.Sync(_file);

    public void Dispose() => _file.Dispose();

    private void WriteRecord(ReadOnlySpan<byte> timestamp, byte[] stream, bool full, ReadOnlySpan<byte> text)
    {
        // Prefix: timestamp, stream and tag; the text goes out in the same write.
        var prefixLength = timestamp.Length + 1 + stream.Length + 3;
        var length = prefixLength + text.Length + 1;
        if (_sizeMax > 0 && _written + length > _sizeMax)
        {
            _file.Dispose();
            _file = MonitorCalls.OpenLog(_path, truncate: true);
            _written = 0;
        }

        var record = length <= _record.Length ? _record : new byte[length];
        timestamp.CopyTo(record);
        var at = timestamp.Length;
        record[at++] = (byte)' ';
        stream.CopyTo(record.AsSpan(at));
        at += stream.Length;
        record[at++] = (byte)' ';
        record[at++] = full ? (byte)'F' : (byte)'P';
        record[at++] = (byte)' ';
        text.CopyTo(record.AsSpan(at));
        at += text.Length;
        record[at++] = (byte)'\n';
        PipeCalls.WriteAll(_file, record.AsSpan(0, at), _path);
        _written += at;
    }

    // 2006-01-02T15:04:05.999999999+00:00: nanoseconds always nine digits; .NET's clock has 100 ns.
    private static byte[] Timestamp()
    {
        var now = DateTimeOffset.Now;
        var text = now.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture)
            + "." + (now.Ticks % TimeSpan.TicksPerSecond * 100).ToString("D9", CultureInfo.InvariantCulture)
            + now.ToString("zzz", CultureInfo.InvariantCulture);
        return Encoding.ASCII.GetBytes(text);
    }
}
