using System.CommandLine;
using System.Diagnostics;
using System.Runtime.InteropServices;

namespace CriO.Server.CommandLine;

/// <summary>
/// `crio play` is built into crio-play, published beside crio: the Kubernetes models a manifest
/// is read into would make the daemon's binary, and so its idle memory, larger. crio hands the
/// whole command line over unchanged and answers with crio-play's exit code.
/// </summary>
public static class PlayForwarder
{
    public const string CommandName = "play";
    public const string Binary = "crio-play";

    /// <summary>What crio's own command line knows of `play`: enough to recognise it and list it in --help.</summary>
    public static Command StandIn()
    {
        var standIn = new Command(CommandName, "Run a Kubernetes Pod manifest on the running daemon through the CRI, print its status and logs; --down removes it (crio play --help for more).")
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        standIn.Arguments.Add(new Argument<string[]>("arguments") { Arity = ArgumentArity.ZeroOrMore });
        return standIn;
    }

    public static bool IsPlay(ParseResult parsed)
    {
        ArgumentNullException.ThrowIfNull(parsed);
        return parsed.CommandResult.Command.Name == CommandName;
    }

    public static async Task<int> RunAsync(IReadOnlyList<string> arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var binary = Path.Combine(AppContext.BaseDirectory, Binary);
        if (!File.Exists(binary))
        {
            await Console.Error.WriteLineAsync($"crio play: {binary} is missing; crio-play is published beside crio").ConfigureAwait(false);
            return 1;
        }

        var start = new ProcessStartInfo(binary) { UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{binary} did not start");

        // Ctrl-C reaches crio-play through the terminal's process group; a SIGTERM sent to crio
        // alone is passed on. Either way crio waits for crio-play's own ending.
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, signal => signal.Cancel = true);
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, signal =>
        {
            signal.Cancel = true;
            Interop.ProcessSignals.Send(process.Id, Interop.ProcessSignals.Terminate);
        });
        await process.WaitForExitAsync().ConfigureAwait(false);
        return process.ExitCode;
    }
}
