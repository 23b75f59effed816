using CriO.Storage.IO;

namespace CriO.Image.Registry;

/// <summary>
/// A read-only stream that fails when no byte arrives for <c>timeout</c>: CRI-O's
/// image_pull_progress_timeout, which stops a stalled registry from holding a pull forever.
/// </summary>
internal sealed class ProgressTimeoutStream(Stream inner, TimeSpan timeout, string what) : ReadOnlyStream
{
    public override int Read(Span<byte> buffer) => inner.Read(buffer);

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (timeout <= TimeSpan.Zero)
        {
            return await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        }

        using var stalled = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        stalled.CancelAfter(timeout);
        try
        {
            return await inner.ReadAsync(buffer, stalled.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"{what}: no progress for {timeout.TotalSeconds:0.#} s (image_pull_progress_timeout)");
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
