namespace CriO.Pinns;

/// <summary>
/// The undo steps of a half-done run, as CRI-O's resource cleaner keeps them: each step that
/// changed something pushes its reverse; on failure they run last-in-first-out, and a step that
/// fails is reported without stopping the ones after it. <see cref="Commit"/> keeps the work.
/// </summary>
internal sealed class UndoStack
{
    private readonly Stack<(string What, Action Step)> _steps = new();

    public void Push(string what, Action step) => _steps.Push((what, step));

    /// <summary>Everything succeeded: forget the undo steps.</summary>
    public void Commit() => _steps.Clear();

    /// <summary>Runs every undo step, newest first; failures go to <paramref name="errors"/>.</summary>
    public void Rollback(TextWriter errors)
    {
        while (_steps.TryPop(out var step))
        {
            try
            {
                step.Step();
            }
            catch (IOException e)
            {
                errors.WriteLine($"crio-pinns: undo ({step.What}) failed: {e.Message}");
            }
        }
    }
}
