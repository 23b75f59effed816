using System.CommandLine;
using CriO.Server.Config;
using CriO.Server.Daemon;

namespace CriO.Server.CommandLine;

/// <summary>
/// crio's command line: `crio` runs the daemon, `crio config` prints the effective
/// configuration as TOML, `crio version` prints the version. Every configuration key that has a
/// flag in CRI-O has the same flag here, generated from the schema, and flags win over files.
/// </summary>
public static class CrioCommandLine
{
    private static readonly Dictionary<string, string> ShortAliases = new(StringComparer.Ordinal)
    {
        ["--root"] = "-r",
        ["--log-level"] = "-l",
        ["--storage-driver"] = "-s",
    };

    /// <param name="play">Builds the real `crio play` (crio-play passes it); without it `play` is
    /// a stand-in that Program hands to crio-play, so the daemon's binary stays without it.</param>
    public static RootCommand Create(Func<Func<ParseResult, ConfigSources>, Command>? play = null)
    {
        var configFile = new Option<string>("--config", "-c")
        {
            Description = $"Configuration file (default {ConfigSources.DefaultFile}).",
            Recursive = true,
        };
        var configDirectory = new Option<string>("--config-dir", "-d")
        {
            Description = $"Folder of drop-in configuration files, read in lexical order after --config (default {ConfigSources.DefaultDropInDirectory}).",
            Recursive = true,
        };
        var keyOptions = new List<(string Flag, Option Option)>();
        var root = new RootCommand("crio: a Kubernetes container runtime (CRI) compatible with CRI-O.");
        root.Options.Add(configFile);
        root.Options.Add(configDirectory);
        foreach (var key in ConfigSchema.Tables.SelectMany(t => t.Keys).Where(k => k.Flag is not null))
        {
            var flag = key.Flag!;
            string[] aliases = ShortAliases.TryGetValue(flag, out var alias) ? [alias] : [];
            Option option = key.IsList
                ? new Option<string[]>(flag, aliases) { Description = key.Description, Recursive = true }
                : new Option<string>(flag, aliases) { Description = key.Description, Recursive = true };
            keyOptions.Add((flag, option));
            root.Options.Add(option);
        }

        ConfigSources Sources(ParseResult parsed) => new()
        {
            File = parsed.GetValue(configFile) ?? ConfigSources.DefaultFile,
            FileRequired = parsed.GetResult(configFile) is not null,
            DropInDirectory = parsed.GetValue(configDirectory) ?? ConfigSources.DefaultDropInDirectory,
            Flags = keyOptions
                .Where(k => parsed.GetResult(k.Option) is not null)
                .ToDictionary(k => k.Flag, k => FlagValues(parsed, k.Option), StringComparer.Ordinal),
        };

        root.SetAction(async (parsed, cancellationToken) =>
        {
            var sources = Sources(parsed);
            return await RunWithConfigAsync(sources, loaded => CrioDaemon.RunAsync(loaded, () => ConfigLoader.Load(sources), cancellationToken)).ConfigureAwait(false);
        });

        var print = new Command("config", "Print the effective configuration (files and flags applied) as TOML that crio reads back unchanged.");
        print.SetAction(parsed => RunWithConfigAsync(Sources(parsed), loaded =>
        {
            foreach (var warning in loaded.Warnings)
            {
                Console.Error.WriteLine($"warning: {warning}");
            }

            Console.Out.Write(ConfigPrinter.ToToml(loaded.Config));
            return Task.FromResult(0);
        }).GetAwaiter().GetResult());
        root.Subcommands.Add(print);

        root.Subcommands.Add(StorageCommand.Create(Sources));
        root.Subcommands.Add(StorageCommand.CreateWipe(Sources));
        root.Subcommands.Add(StorageCommand.CreateCheck(Sources));
        root.Subcommands.Add(StatusCommand.Create(Sources));
        root.Subcommands.Add(play is null ? PlayForwarder.StandIn() : play(Sources));

        var version = new Command("version", "Print the version of crio and of the CRI it serves.");
        version.SetAction(_ =>
        {
            Console.Out.WriteLine($"{CrioVersion.RuntimeName} {CrioVersion.Current} (CRI {CrioVersion.CriApiVersion})");
            return 0;
        });
        root.Subcommands.Add(version);
        return root;
    }

    private static IReadOnlyList<string> FlagValues(ParseResult parsed, Option option) => option switch
    {
        Option<string[]> list => parsed.GetValue(list) ?? [],
        Option<string> single => parsed.GetValue(single) is { } value ? [value] : [],
        _ => [],
    };

    // A configuration that does not load stops here with its file, key and reason, exit code 1.
    private static async Task<int> RunWithConfigAsync(ConfigSources sources, Func<LoadedConfig, Task<int>> run)
    {
        LoadedConfig loaded;
        try
        {
            loaded = ConfigLoader.Load(sources);
        }
        catch (ConfigException e)
        {
            await Console.Error.WriteLineAsync($"crio: invalid configuration: {e.Message}").ConfigureAwait(false);
            return 1;
        }

        try
        {
            return await run(loaded).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            await Console.Error.WriteLineAsync($"crio: {e.Message}").ConfigureAwait(false);
            return 1;
        }
    }
}
