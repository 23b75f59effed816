using Tomlyn;
using Tomlyn.Model;

namespace CriO.Server.Config;

/// <summary>
/// Builds the effective configuration as CRI-O does: defaults, then the main file, then each
/// drop-in in lexical order (a later file wins key by key), then flags. Unknown keys and tables
/// are warnings, so a config written for a newer CRI-O still starts; a bad value is fatal and
/// names the file and the key.
/// </summary>
public static class ConfigLoader
{
    public const string CommandLineSource = "command line";

    // A config file is a few KiB; refuse anything that is clearly not one.
    private const long MaxFileBytes = 4 * 1024 * 1024;

    private static readonly Dictionary<string, ConfigTable> TablesByName =
        ConfigSchema.Tables.ToDictionary(t => t.Name, StringComparer.Ordinal);

    public static LoadedConfig Load(ConfigSources sources)
    {
        ArgumentNullException.ThrowIfNull(sources);
        var config = new CrioConfig();
        var warnings = new List<ConfigWarning>();

        if (File.Exists(sources.File))
        {
            ApplyFile(config, sources.File, warnings);
        }
        else if (sources.FileRequired)
        {
            throw new ConfigException(sources.File, "the configuration file does not exist");
        }

        if (Directory.Exists(sources.DropInDirectory))
        {
            var dropIns = Directory.GetFiles(sources.DropInDirectory, "*.conf");
            Array.Sort(dropIns, StringComparer.Ordinal);
            foreach (var dropIn in dropIns)
            {
                ApplyFile(config, dropIn, warnings);
            }
        }

        ApplyFlags(config, sources.Flags);
        Validate(config);
        return new LoadedConfig(config, warnings);
    }

    public static void ApplyFile(CrioConfig config, string path, List<ConfigWarning> warnings)
    {
        ArgumentNullException.ThrowIfNull(path);
        string text;
        try
        {
            var info = new FileInfo(path);
            if (info.Length > MaxFileBytes)
            {
                throw new ConfigException(path, $"the file is larger than {MaxFileBytes} bytes");
            }

            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException(path, $"cannot read the file: {e.Message}");
        }

        ApplyText(config, text, path, warnings);
    }

    /// <summary>Applies one TOML document; <paramref name="source"/> names it in messages.</summary>
    public static void ApplyText(CrioConfig config, string text, string source, List<ConfigWarning> warnings)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(warnings);
        TomlTable document;
        try
        {
            document = TomlSerializer.Deserialize(text, ConfigTomlContext.Default.TomlTable) ?? [];
        }
        catch (TomlException e)
        {
            throw new ConfigException(source, $"not valid TOML: {e.Message}");
        }

        foreach (var (key, value) in document)
        {
            if (key == "crio" && value is TomlTable crio)
            {
                ApplyTable(config, TablesByName["crio"], crio, source, warnings);
            }
            else
            {
                warnings.Add(new ConfigWarning(source, key, "unknown key, ignored"));
            }
        }
    }

    private static void ApplyTable(CrioConfig config, ConfigTable table, TomlTable values, string source, List<ConfigWarning> warnings)
    {
        foreach (var (key, value) in values)
        {
            var dotted = $"{table.Name}.{key}";
            var schemaKey = table.Keys.FirstOrDefault(k => k.Name == key);
            if (schemaKey is not null)
            {
                Apply(() => schemaKey.ApplyToml(config, value), source, dotted);
            }
            else if (dotted == ConfigSchema.RuntimesTable && value is TomlTable runtimes)
            {
                ApplyRuntimeHandlers(config, runtimes, source, warnings);
            }
            else if (value is TomlTable nested && TablesByName.TryGetValue(dotted, out var nestedTable))
            {
                ApplyTable(config, nestedTable, nested, source, warnings);
            }
            else
            {
                warnings.Add(new ConfigWarning(source, dotted, value is TomlTable ? "unknown table, ignored" : "unknown key, ignored"));
            }
        }
    }

    private static void ApplyRuntimeHandlers(CrioConfig config, TomlTable runtimes, string source, List<ConfigWarning> warnings)
    {
        foreach (var (name, value) in runtimes)
        {
            var dotted = $"{ConfigSchema.RuntimesTable}.{name}";
            if (value is not TomlTable handlerValues)
            {
                throw new ConfigException(source, dotted, "expected a table describing a runtime handler");
            }

            if (!config.Runtime.Runtimes.TryGetValue(name, out var handler))
            {
                handler = new RuntimeHandlerSettings();
                config.Runtime.Runtimes[name] = handler;
            }

            foreach (var (key, keyValue) in handlerValues)
            {
                var schemaKey = ConfigSchema.RuntimeHandlerKeys.FirstOrDefault(k => k.Name == key);
                if (schemaKey is null)
                {
                    warnings.Add(new ConfigWarning(source, $"{dotted}.{key}", "unknown key, ignored"));
                    continue;
                }

                Apply(() => schemaKey.ApplyToml(handler, keyValue), source, $"{dotted}.{key}");
            }
        }
    }

    private static void ApplyFlags(CrioConfig config, IReadOnlyDictionary<string, IReadOnlyList<string>> flags)
    {
        foreach (var table in ConfigSchema.Tables)
        {
            foreach (var key in table.Keys)
            {
                if (key.Flag is not null && flags.TryGetValue(key.Flag, out var values) && values.Count > 0)
                {
                    Apply(() => key.ApplyFlag(config, values), CommandLineSource, key.Flag);
                }
            }
        }
    }

    private static void Validate(CrioConfig config)
    {
        if (!config.Runtime.Runtimes.ContainsKey(config.Runtime.DefaultRuntime))
        {
            throw new ConfigException("configuration", "crio.runtime.default_runtime",
                $"no runtime handler named \"{config.Runtime.DefaultRuntime}\" in [{ConfigSchema.RuntimesTable}]; known: {string.Join(", ", config.Runtime.Runtimes.Keys)}");
        }

        // Monitors go to their pod, or with systemd to a slice; a cgroupfs node has no slices.
        if (config.Runtime.CgroupManager == CgroupManagers.Cgroupfs)
        {
            if (config.Runtime.ConmonCgroup is not ("" or "pod"))
            {
                throw new ConfigException("configuration", "crio.runtime.conmon_cgroup",
                    $"\"{config.Runtime.ConmonCgroup}\" needs the systemd cgroup manager; with cgroupfs only \"pod\" is possible");
            }

            foreach (var (name, handler) in config.Runtime.Runtimes)
            {
                if (config.Runtime.ConmonCgroup.Length == 0 && handler.MonitorCgroup is not ("" or "pod"))
                {
                    throw new ConfigException("configuration", $"{ConfigSchema.RuntimesTable}.{name}.monitor_cgroup",
                        $"\"{handler.MonitorCgroup}\" needs the systemd cgroup manager; with cgroupfs only \"pod\" is possible");
                }
            }
        }
    }

    private static void Apply(Action apply, string source, string key)
    {
        try
        {
            apply();
        }
        catch (ConfigValueException e)
        {
            throw new ConfigException(source, key, e.Message);
        }
    }
}
