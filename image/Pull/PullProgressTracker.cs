using System.Collections.Concurrent;
using System.Diagnostics;
using CriO.Storage.IO;

namespace CriO.Image.Pull;

/// <summary>
/// Counts the bytes each layer stream of one pull delivers and reports the state every
/// <c>interval</c> (and once at the end), so an operator sees a long pull move, or stall.
/// </summary>
internal sealed class PullProgressTracker : IDisposable
{
    private readonly string _image;
    private readonly Action<PullProgress> _report;
    private readonly ConcurrentDictionary<string, (long Size, StrongBox Received)> _layers = new(StringComparer.Ordinal);
    private readonly Stopwatch _elapsed = Stopwatch.StartNew();
    private readonly ITimer _timer;
    private bool _completed;

    public PullProgressTracker(string image, TimeSpan interval, Action<PullProgress> report, TimeProvider time)
    {
        _image = image;
        _report = report;
        _timer = time.CreateTimer(_ => _report(Snapshot(done: false)), null, interval, interval);
    }

    public Stream Track(string digest, long size, Stream blob)
    {
        var received = _layers.GetOrAdd(digest, _ => (size, new StrongBox())).Received;
        Interlocked.Exchange(ref received.Value, 0);
        return new CountingStream(blob, received);
    }

    /// <summary>The pull succeeded: the final report says so when the tracker is disposed.</summary>
    public void Complete() => _completed = true;

    public void Dispose()
    {
        _timer.Dispose();
        if (_completed)
        {
            _report(Snapshot(done: true));
        }
    }

    private PullProgress Snapshot(bool done)
    {
        var layers = _layers.Select(l => new LayerProgress(l.Key, l.Value.Size, Interlocked.Read(ref l.Value.Received.Value))).ToList();
        var seconds = Math.Max(_elapsed.Elapsed.TotalSeconds, 0.001);
        return new PullProgress(_image, layers, (long)(layers.Sum(l => l.Received) / seconds), done);
    }

    internal sealed class StrongBox
    {
        public long Value;
    }

    private sealed class CountingStream(Stream inner, StrongBox received) : ReadOnlyStream
    {
        public override int Read(Span<byte> buffer) => Count(inner.Read(buffer));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Count(await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false));

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }

        private int Count(int read)
        {
            Interlocked.Add(ref received.Value, read);
            return read;
        }
    }
}
