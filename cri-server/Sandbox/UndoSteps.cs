using Microsoft.Extensions.Logging;

namespace CriO.Server.Sandbox;

/// <summary>
/// The undo list of a multi-step operation: each done step pushes how to take it back, and on
/// failure they run last-in-first-out, each on its own bounded token (never the request's: the
/// kubelet giving up must not leave half a pod), each retried a few times, every failure logged
/// and the rest still run.
/// </summary>
public sealed class UndoSteps(ILogger logger)
{
    private static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(60);
    private const int Attempts = 3;

    private readonly Stack<(string What, Func<CancellationToken, Task> Undo)> _steps = new();

    public void Push(string what, Func<CancellationToken, Task> undo) => _steps.Push((what, undo));

    public void Push(string what, Action undo) => _steps.Push((what, _ =>
    {
        undo();
        return Task.CompletedTask;
    }));

    /// <summary>The steps are kept: the operation succeeded.</summary>
    public void Commit() => _steps.Clear();

    public async Task RunAsync()
    {
        while (_steps.TryPop(out var step))
        {
            for (var attempt = 1; attempt <= Attempts; attempt++)
            {
                using var bound = new CancellationTokenSource(StepTimeout);
                try
                {
                    await step.Undo(bound.Token).ConfigureAwait(false);
                    break;
                }
                catch (Exception e)
                {
                    SandboxLog.UndoFailed(logger, step.What, attempt, e.Message);
                    if (attempt < Attempts)
                    {
                        await Task.Delay(TimeSpan.FromMilliseconds(100 * attempt), CancellationToken.None).ConfigureAwait(false);
                    }
                }
            }
        }
    }
}
