using CriO.Tests.Shared;

namespace CriO.Registry.Fixture;

/// <summary>Runs a host tool (openssl, htpasswd, skopeo) that must succeed, bounded in time.</summary>
internal static class Tool
{
    public static async Task<string> RunAsync(string program, IEnumerable<string> arguments, TimeSpan? timeout = null, string? workingDirectory = null)
    {
        var argumentList = arguments.ToList();
        (int ExitCode, string Output, string Errors) result;
        try
        {
            result = await ChildProcess.RunAsync(program, argumentList, workingDirectory, timeout ?? TimeSpan.FromSeconds(60)).ConfigureAwait(false);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"{program} could not be started (is its Debian package installed? scripts/test.sh installs it): {e.Message}", e);
        }
        catch (OperationCanceledException e)
        {
            throw new TimeoutException($"{program} {string.Join(' ', argumentList)} did not finish in time", e);
        }

        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"{program} {string.Join(' ', argumentList)} exited with {result.ExitCode}:\n{result.Errors}{result.Output}");
        }

        return result.Output;
    }
}
