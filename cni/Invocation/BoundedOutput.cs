namespace CriO.Cni.Invocation;

/// <summary>
/// Reads a plugin's output pipe to its end, keeping at most a bound: a broken or hostile plugin
/// cannot make the daemon buffer without limit. What is past the bound is read and dropped, so
/// the plugin never blocks on a full pipe, and <see cref="Truncated"/> says it happened.
/// </summary>
internal sealed class BoundedOutput(int limit)
{
    private readonly MemoryStream _kept = new();

    public bool Truncated { get; private set; }

    public ReadOnlyMemory<byte> Bytes => _kept.GetBuffer().AsMemory(0, (int)_kept.Length);

    public async Task ReadAsync(Stream pipe, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pipe);
        var buffer = new byte[16 * 1024];
        int read;
        while ((read = await pipe.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            var room = limit - (int)_kept.Length;
            if (read > room)
            {
                Truncated = true;
            }

            if (room > 0)
            {
                _kept.Write(buffer, 0, Math.Min(read, room));
            }
        }
    }
}
