using System.Diagnostics;

namespace CriO.Server.Runtime;

/// <summary>
/// Whether CRIU can checkpoint on this node: installed, and its own <c>criu check</c> passes
/// (an old CRIU on a newer kernel fails already while probing the kernel). Asked once.
/// </summary>
internal static class CriuCheck
{
    private static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(20);
    private static readonly Lazy<Task<string?>> Problem = new(FindProblemAsync);

    /// <summary>Why checkpointing cannot work here; null when CRIU is installed and ready.</summary>
    public static Task<string?> ProblemAsync() => Problem.Value;

    private static async Task<string?> FindProblemAsync()
    {
        if (RuntimeBinary.Find("criu") is not { } criu)
        {
            return "CRIU is not installed on this node";
        }

        using var check = Process.Start(new ProcessStartInfo(criu, ["check"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        }) ?? throw new InvalidOperationException($"{criu} did not start");
        using var deadline = new CancellationTokenSource(CheckTimeout);
        var errors = check.StandardError.ReadToEndAsync(deadline.Token);
        var output = check.StandardOutput.ReadToEndAsync(deadline.Token);
        try
        {
            await check.WaitForExitAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            check.Kill();
            return $"`{criu} check` did not finish in {CheckTimeout.TotalSeconds} s";
        }

        var said = ((await errors.ConfigureAwait(false)) + (await output.ConfigureAwait(false))).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return check.ExitCode == 0 ? null : $"CRIU cannot run on this node (`{criu} check`: {said.LastOrDefault(l => l.Contains("Error", StringComparison.Ordinal)) ?? said.LastOrDefault() ?? $"exit {check.ExitCode}"})";
    }
}
