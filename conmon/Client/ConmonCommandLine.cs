using System.Globalization;

namespace CriO.Conmon.Client;

/// <summary>
/// conmon's command line for creating a container, in the order CRI-O builds it
/// (internal/oci/runtime_oci.go, CreateContainer); option names as conmon 2.1's src/cli.c.
/// </summary>
public static class ConmonCommandLine
{
    /// <summary>The arguments after the program name.</summary>
    public static IReadOnlyList<string> Build(MonitorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var args = new List<string>
        {
            "-b", options.BundlePath,
            "-c", options.ContainerId,
            "--exit-dir", options.ExitDirectory,
            "-l", "k8s-file:" + options.LogPath,
            "--log-level", options.LogLevel,
            "-n", options.Name,
            "-P", options.ConmonPidFile,
            "-p", options.EffectiveContainerPidFile,
        };
        if (options.PersistDirectory is { } persist)
        {
            args.AddRange(["--persist-dir", persist]);
        }

        args.AddRange(["-r", options.RuntimePath]);
        if (options.RuntimeRoot is { } root)
        {
            args.AddRange(["--runtime-arg", "--root=" + root]);
        }

        args.AddRange(["--socket-dir-path", options.SocketDirectory]);
        if (options.Syslog)
        {
            args.Add("--syslog");
        }

        args.AddRange(["-u", options.EffectiveUuid]);
        if (options.SystemdCgroup)
        {
            args.Add("-s");
        }

        if (options.LogSizeMax >= 0)
        {
            args.AddRange(["--log-size-max", options.LogSizeMax.ToString(CultureInfo.InvariantCulture)]);
        }

        if (options.NoSyncLog)
        {
            args.Add("--no-sync-log");
        }

        if (options.NoPivot)
        {
            args.Add("--no-pivot");
        }

        if (options.Terminal)
        {
            args.Add("-t");
        }
        else if (options.Stdin)
        {
            if (!options.StdinOnce)
            {
                args.Add("--leave-stdin-open");
            }

            args.Add("-i");
        }

        if (options.FullAttach)
        {
            args.Add("--full-attach");
        }

        if (options.ExitCommand is { } exitCommand)
        {
            args.AddRange(["--exit-command", exitCommand]);
            foreach (var argument in options.ExitCommandArguments)
            {
                args.AddRange(["--exit-command-arg", argument]);
            }
        }

        foreach (var option in options.RuntimeOptions)
        {
            args.AddRange(["--runtime-opt", option]);
        }

        return args;
    }
}
