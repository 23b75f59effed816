using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace CriO.Server.Runtime;

/// <summary>
/// The kubelet's retry contract for RunPodSandbox and CreateContainer. The kubelet gives a call
/// a deadline (2 minutes by default) and, when it passes, asks again with the same name. The
/// work of the first call is not thrown away: it runs to its end on its own, a retry that comes
/// while it runs waits for it (as long as the retry's own deadline allows), and one that comes
/// after it finished gets its result, instead of "name is reserved" until someone removes it.
/// The step a slow creation is at is logged when its caller gives up and every 30 seconds.
/// </summary>
public sealed partial class CreationsInFlight(string call, TimeProvider time, ILogger logger)
{
    private static readonly TimeSpan ReportEvery = TimeSpan.FromSeconds(30);

    // A result ready this close to the caller's deadline may not reach it before the deadline does.
    private static readonly TimeSpan DeadlineMargin = TimeSpan.FromSeconds(1);

    private readonly Lock _lock = new();
    private readonly Dictionary<string, Creation> _running = new(StringComparer.Ordinal);

    // Results whose caller had gone when they finished (name -> ID), for the retry.
    private readonly Dictionary<string, string> _unclaimed = new(StringComparer.Ordinal);

    /// <summary>
    /// Creates <paramref name="name"/> with <paramref name="create"/>, or hands over the result of
    /// a creation of the same name that is running or whose caller gave up (while
    /// <paramref name="exists"/> still says so of its ID). The caller's cancellation only stops
    /// the wait. A result ready within a second of <paramref name="deadline"/> (UTC) is kept for a
    /// retry too: the answer may reach the caller after it gave up.
    /// </summary>
    public async Task<string> RunAsync(string name, Func<string, bool> exists, Func<CreationProgress, Task<string>> create, CancellationToken cancellationToken, DateTime? deadline = null)
    {
        ArgumentNullException.ThrowIfNull(exists);
        ArgumentNullException.ThrowIfNull(create);
        Creation? creation;
        var started = false;
        lock (_lock)
        {
            if (_unclaimed.Remove(name, out var finished) && exists(finished))
            {
                return finished;
            }

            if (!_running.TryGetValue(name, out creation))
            {
                var progress = new CreationProgress();
                creation = new Creation(progress, Task.Run(() => create(progress), CancellationToken.None), time.GetTimestamp());
                _running[name] = creation;
                started = true;
            }
        }

        if (started)
        {
            _ = FollowAsync(name, creation);
        }
        else
        {
            Waiting(logger, call, name, creation.Progress.Stage);
        }

        try
        {
            var id = await creation.Work.WaitAsync(cancellationToken).ConfigureAwait(false);
            if (deadline is { } last && last - time.GetUtcNow().UtcDateTime < DeadlineMargin)
            {
                lock (_lock)
                {
                    _unclaimed[name] = id;
                }
            }

            return id;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested && !creation.Work.IsCompleted)
        {
            creation.Abandoned = true;
            GaveUp(logger, call, name, time.GetElapsedTime(creation.Started).TotalSeconds, creation.Progress.Stage);
            Telemetry.CrioMetrics.CreationStalled(creation.Progress.Stage);
            throw;
        }
    }

    /// <summary>Reports a slow creation now and then; once it ends, keeps its result for a retry if its caller went.</summary>
    private async Task FollowAsync(string name, Creation creation)
    {
        while (await Task.WhenAny(creation.Work, Task.Delay(ReportEvery, time)).ConfigureAwait(false) != creation.Work)
        {
            StillRunning(logger, call, name, time.GetElapsedTime(creation.Started).TotalSeconds, creation.Progress.Stage);
        }

        lock (_lock)
        {
            _running.Remove(name);
            if (creation.Abandoned && creation.Work.IsCompletedSuccessfully)
            {
                _unclaimed[name] = creation.Work.Result;
            }
        }

        if (creation.Abandoned)
        {
            Finished(logger, call, name, creation.Work.IsCompletedSuccessfully ? "done; kept for the retry" : $"failed: {creation.Work.Exception?.GetBaseException().Message}");
        }
    }

    [LoggerMessage(20, LogLevel.Warning, "{Call} {Name}: the caller gave up after {Seconds:F1} s; it goes on at \"{Stage}\" and a retry gets its result")]
    private static partial void GaveUp(ILogger logger, string call, string name, double seconds, string stage);

    [LoggerMessage(21, LogLevel.Warning, "{Call} {Name}: still running after {Seconds:F0} s, at \"{Stage}\"")]
    private static partial void StillRunning(ILogger logger, string call, string name, double seconds, string stage);

    [LoggerMessage(22, LogLevel.Information, "{Call} {Name}: a retry waits for the creation under way, at \"{Stage}\"")]
    private static partial void Waiting(ILogger logger, string call, string name, string stage);

    [LoggerMessage(23, LogLevel.Information, "{Call} {Name}: the creation its caller gave up on has {Outcome}")]
    private static partial void Finished(ILogger logger, string call, string name, string outcome);

    private sealed class Creation(CreationProgress progress, Task<string> work, long started)
    {
        public CreationProgress Progress => progress;

        public Task<string> Work => work;

        public long Started => started;

        private volatile bool _abandoned;

        /// <summary>Its first caller stopped waiting (the kubelet's deadline passed).</summary>
        public bool Abandoned
        {
            get => _abandoned;
            set => _abandoned = value;
        }
    }
}
