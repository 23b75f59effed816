using CriO.Server.Runtime;
using Microsoft.Extensions.Logging.Abstractions;

namespace CriO.Server.Tests.Runtime;

/// <summary>
/// The kubelet's retry contract: a creation outlives its caller's deadline, and the retry with
/// the same name gets its result rather than a name conflict.
/// </summary>
public sealed class CreationsInFlightTests
{
    private readonly CreationsInFlight _creations = new("CreateContainer", TimeProvider.System, NullLogger.Instance);
    private int _calls;

    private Func<CreationProgress, Task<string>> Create(Task<string> work) => progress =>
    {
        Interlocked.Increment(ref _calls);
        progress.Stage = "runtime create";
        return work;
    };

    [Fact]
    public async Task A_creation_whose_caller_gave_up_is_handed_to_the_retry()
    {
        var work = new TaskCompletionSource<string>();
        using var deadline = new CancellationTokenSource();
        var first = _creations.RunAsync("k8s_app", _ => true, Create(work.Task), deadline.Token);
        await deadline.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first);

        work.SetResult("c0ffee");
        Assert.Equal("c0ffee", await _creations.RunAsync("k8s_app", _ => true, Create(Task.FromResult("other")), CancellationToken.None));
        Assert.Equal(1, _calls);
    }

    [Fact]
    public async Task A_retry_while_the_creation_runs_waits_for_it()
    {
        var work = new TaskCompletionSource<string>();
        var first = _creations.RunAsync("k8s_app", _ => true, Create(work.Task), CancellationToken.None);
        var retry = _creations.RunAsync("k8s_app", _ => true, Create(Task.FromResult("other")), CancellationToken.None);
        await Task.Delay(50);
        Assert.False(retry.IsCompleted);

        work.SetResult("c0ffee");
        Assert.Equal(("c0ffee", "c0ffee"), (await first, await retry));
        Assert.Equal(1, _calls);
    }

    [Fact]
    public async Task A_result_removed_meanwhile_or_a_failure_is_not_handed_out()
    {
        var failing = new TaskCompletionSource<string>();
        using var deadline = new CancellationTokenSource();
        var first = _creations.RunAsync("k8s_app", _ => true, Create(failing.Task), deadline.Token);
        await deadline.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first);
        failing.SetException(new InvalidOperationException("runtime create failed"));
        await WaitUntilIdleAsync();
        Assert.Equal("fresh", await _creations.RunAsync("k8s_app", _ => true, Create(Task.FromResult("fresh")), CancellationToken.None));

        var gone = new TaskCompletionSource<string>();
        using var second = new CancellationTokenSource();
        var abandoned = _creations.RunAsync("k8s_db", _ => false, Create(gone.Task), second.Token);
        await second.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => abandoned);
        gone.SetResult("removed-since");
        await WaitUntilIdleAsync();
        Assert.Equal("new", await _creations.RunAsync("k8s_db", _ => false, Create(Task.FromResult("new")), CancellationToken.None));
    }

    [Fact]
    public async Task A_finished_creation_with_its_caller_present_is_not_kept()
    {
        Assert.Equal("one", await _creations.RunAsync("k8s_app", _ => true, Create(Task.FromResult("one")), CancellationToken.None));
        await WaitUntilIdleAsync();
        Assert.Equal("two", await _creations.RunAsync("k8s_app", _ => true, Create(Task.FromResult("two")), CancellationToken.None));
        Assert.Equal(2, _calls);
    }

    [Fact]
    public async Task A_result_ready_at_the_callers_deadline_is_kept_for_its_retry()
    {
        // The answer went out, but maybe after the client's deadline: it may never have arrived.
        var nearly = DateTime.UtcNow.AddMilliseconds(300);
        Assert.Equal("late", await _creations.RunAsync("k8s_app", _ => true, Create(Task.FromResult("late")), CancellationToken.None, nearly));
        await WaitUntilIdleAsync();
        Assert.Equal("late", await _creations.RunAsync("k8s_app", _ => true, Create(Task.FromResult("other")), CancellationToken.None));
        Assert.Equal(1, _calls);
    }

    // The bookkeeping after a creation ends runs on its own continuation.
    private static Task WaitUntilIdleAsync() => Task.Delay(100);
}
