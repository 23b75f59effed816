using CriO.Image.Reference;
using Tomlyn;
using Tomlyn.Model;

namespace CriO.Image.Registries;

/// <summary>
/// Reads one registries.conf file into a <see cref="RegistriesFile"/>, applying the checks
/// containers/image applies when it loads a file: a bad value stops the load and names the file
/// and key; an unknown key is a warning, so a file written for a newer podman still loads.
/// The deprecated v1 format (<c>[registries.search]</c>, <c>[registries.insecure]</c>,
/// <c>[registries.block]</c>) is accepted in the main file and converted, as containers/image
/// does; drop-ins must be v2, and one file must not mix the two.
/// </summary>
internal static partial class RegistriesFileParser
{
    private const string V1Table = "registries";

    // Any of these makes a file v2 (containers/image counts every v2 field, aliases included).
    private static readonly HashSet<string> V2Keys = new(StringComparer.Ordinal)
    {
        "registry", "unqualified-search-registries", "short-name-mode", "aliases",
        "credential-helpers", "additional-layer-store-auth-helper",
    };

    // The reserved helper name for containers-auth.json(5) files; anything else names a helper program.
    private const string AuthFileHelper = "containers-auth.json";

    public static RegistriesFile Parse(string text, string source, RegistriesFileKind kind)
    {
        ArgumentNullException.ThrowIfNull(text);
        TomlTable document;
        try
        {
            document = TomlSerializer.Deserialize(text, RegistriesTomlContext.Default.TomlTable) ?? [];
        }
        catch (TomlException e)
        {
            throw new RegistriesConfigException(source, "", $"not valid TOML: {e.Message}");
        }

        var file = new RegistriesFile(source);
        if (kind == RegistriesFileKind.AliasesOnly)
        {
            foreach (var (key, value) in document)
            {
                if (key == "aliases")
                {
                    ParseAliases(file, value);
                }
                else
                {
                    file.Warnings.Add($"{source}: {key}: only [aliases] is read from a short-name aliases file, ignored");
                }
            }

            return file;
        }

        var drafts = new List<RegistryEntry>();
        if (document.ContainsKey(V1Table))
        {
            if (kind == RegistriesFileKind.DropIn)
            {
                throw new RegistriesConfigException(source, V1Table,
                    "a drop-in file must use the v2 format ([[registry]] tables); the v1 [registries.search/insecure/block] tables are read from the main registries.conf only");
            }

            var v2Key = document.Keys.FirstOrDefault(V2Keys.Contains);
            if (v2Key is not null)
            {
                throw new RegistriesConfigException(source, v2Key,
                    $"the v1 [{V1Table}.*] tables and v2 keys cannot be mixed in one file; convert the v1 tables to [[registry]] tables");
            }

            ParseV1(file, document[V1Table], drafts);
        }

        foreach (var (key, value) in document)
        {
            switch (key)
            {
                case V1Table:
                    break;
                case "unqualified-search-registries":
                    file.UnqualifiedSearchRegistries = SearchRegistries(source, key, value);
                    break;
                case "short-name-mode":
                    file.ShortNameMode = ParseShortNameMode(source, key, value);
                    break;
                case "registry":
                    var index = 0;
                    foreach (var table in TomlValues.Tables(source, key, value))
                    {
                        drafts.Add(ParseRegistry(file, table, index++));
                    }

                    break;
                case "aliases":
                    ParseAliases(file, value);
                    break;
                case "credential-helpers":
                    var helpers = TomlValues.Strings(source, key, value);
                    if (helpers.Any(h => h != AuthFileHelper))
                    {
                        file.Warnings.Add($"{source}: {key}: credential helper programs are not supported by CriO, ignored");
                    }

                    break;
                case "additional-layer-store-auth-helper":
                    if (TomlValues.Text(source, key, value).Length > 0)
                    {
                        file.Warnings.Add($"{source}: {key}: additional layer stores are not supported, ignored");
                    }

                    break;
                default:
                    file.Warnings.Add($"{source}: {key}: unknown key, ignored");
                    break;
            }
        }

        CheckConflicts(source, drafts);
        AddUniqueByPrefix(file, drafts);
        return file;
    }

    private static RegistryEntry ParseRegistry(RegistriesFile file, TomlTable table, int index)
    {
        var source = file.Source;
        var key = $"registry[{index}]";
        string? prefix = null, location = null;
        bool insecure = false, blocked = false, mirrorByDigestOnly = false;
        var mirrorTables = new List<TomlTable>();
        foreach (var (name, value) in table)
        {
            var dotted = $"{key}.{name}";
            switch (name)
            {
                case "prefix": prefix = TomlValues.Text(source, dotted, value); break;
                case "location": location = TomlValues.Text(source, dotted, value); break;
                case "insecure": insecure = TomlValues.Flag(source, dotted, value); break;
                case "blocked": blocked = TomlValues.Flag(source, dotted, value); break;
                case "mirror-by-digest-only": mirrorByDigestOnly = TomlValues.Flag(source, dotted, value); break;
                case "mirror": mirrorTables.AddRange(TomlValues.Tables(source, dotted, value)); break;
                case "pull-from-mirror":
                    throw new RegistriesConfigException(source, dotted, "pull-from-mirror belongs in a [[registry.mirror]] table, not in the registry itself");
                default:
                    file.Warnings.Add($"{source}: {dotted}: unknown key, ignored");
                    break;
            }
        }

        location = Location(source, $"{key}.location", location ?? "");
        if (string.IsNullOrEmpty(prefix))
        {
            prefix = location.Length > 0
                ? location
                : throw new RegistriesConfigException(source, key, "neither prefix nor location is set");
        }
        else
        {
            prefix = Location(source, $"{key}.prefix", prefix);
            var isWildcard = prefix.StartsWith(PrefixMatch.WildcardStart, StringComparison.Ordinal);
            if (isWildcard && prefix.AsSpan(PrefixMatch.WildcardStart.Length).IndexOfAny('/', '@', ':') >= 0)
            {
                throw new RegistriesConfigException(source, $"{key}.prefix",
                    $"\"{prefix}\" is not a valid wildcard: a wildcard prefix is a host suffix like \"*.example.com\", without port, namespace, tag or digest");
            }

            if (!isWildcard && location.Length == 0)
            {
                throw new RegistriesConfigException(source, $"{key}.location",
                    "location must be set unless the prefix is a \"*.example.com\" wildcard");
            }
        }

        var mirrors = new List<RegistryMirror>();
        for (var i = 0; i < mirrorTables.Count; i++)
        {
            mirrors.Add(ParseMirror(file, mirrorTables[i], $"{key}.mirror[{i}]", mirrorByDigestOnly));
        }

        return new RegistryEntry(prefix, location, insecure, blocked, mirrorByDigestOnly, mirrors, source, index);
    }

    private static RegistryMirror ParseMirror(RegistriesFile file, TomlTable table, string key, bool registryMirrorByDigestOnly)
    {
        var source = file.Source;
        string? location = null, pullFrom = null;
        var insecure = false;
        foreach (var (name, value) in table)
        {
            var dotted = $"{key}.{name}";
            switch (name)
            {
                case "location": location = TomlValues.Text(source, dotted, value); break;
                case "insecure": insecure = TomlValues.Flag(source, dotted, value); break;
                case "pull-from-mirror": pullFrom = TomlValues.Text(source, dotted, value); break;
                default:
                    file.Warnings.Add($"{source}: {dotted}: unknown key, ignored");
                    break;
            }
        }

        location = Location(source, $"{key}.location", location ?? "");
        if (location.Length == 0)
        {
            throw new RegistriesConfigException(source, $"{key}.location", "a mirror needs a location");
        }

        // containers/image refuses any pull-from-mirror here, even "all": the two settings would disagree.
        if (registryMirrorByDigestOnly && !string.IsNullOrEmpty(pullFrom))
        {
            throw new RegistriesConfigException(source, $"{key}.pull-from-mirror",
                "cannot be set on a mirror of a registry with mirror-by-digest-only = true; use one or the other");
        }

        var mode = pullFrom switch
        {
            null or "" or "all" => PullFromMirror.All,
            "digest-only" => PullFromMirror.DigestOnly,
            "tag-only" => PullFromMirror.TagOnly,
            _ => throw new RegistriesConfigException(source, $"{key}.pull-from-mirror",
                $"\"{pullFrom}\" is not one of \"all\", \"digest-only\", \"tag-only\""),
        };
        return new RegistryMirror(location, insecure, mode);
    }

    // Several tables may name the same host (different namespaces, different mirrors), but they
    // must agree on whether it is insecure or blocked.
    private static void CheckConflicts(string source, List<RegistryEntry> drafts)
    {
        var first = new Dictionary<string, RegistryEntry>(StringComparer.Ordinal);
        foreach (var entry in drafts)
        {
            var host = entry.Location.Length == 0 ? entry.Prefix : entry.Location;
            if (!first.TryGetValue(host, out var earlier))
            {
                first[host] = entry;
                continue;
            }

            var setting = earlier.Insecure != entry.Insecure ? "insecure" : earlier.Blocked != entry.Blocked ? "blocked" : null;
            if (setting is not null)
            {
                throw new RegistriesConfigException(source, $"registry[{entry.Index}].{setting}",
                    $"registry \"{host}\" is also defined by registry[{earlier.Index}] with a different '{setting}' setting");
            }
        }
    }

    // containers/image keeps the first table for a prefix and ignores later ones (they could
    // never be chosen), then orders the tables by prefix.
    private static void AddUniqueByPrefix(RegistriesFile file, List<RegistryEntry> drafts)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in drafts)
        {
            if (seen.Add(entry.Prefix))
            {
                file.Registries.Add(entry);
            }
            else
            {
                file.Warnings.Add($"{file.Source}: {entry.Key}: an earlier [[registry]] has the same prefix; this one is ignored");
            }
        }

        file.Registries.Sort((a, b) => string.CompareOrdinal(a.Prefix, b.Prefix));
    }

    private static List<string> SearchRegistries(string source, string key, object? value)
    {
        var hosts = TomlValues.Strings(source, key, value);
        for (var i = 0; i < hosts.Count; i++)
        {
            var host = Location(source, $"{key}[{i}]", hosts[i]);
            var reason = ReferenceGrammar.DomainError(host);
            if (reason is not null)
            {
                throw new RegistriesConfigException(source, $"{key}[{i}]", $"\"{hosts[i]}\" is not a host[:port]: {reason}");
            }

            hosts[i] = host;
        }

        return hosts;
    }

    private static ShortNameMode? ParseShortNameMode(string source, string key, object? value) =>
        TomlValues.Text(source, key, value) switch
        {
            "" => null,
            "enforcing" => ShortNameMode.Enforcing,
            "permissive" => ShortNameMode.Permissive,
            "disabled" => ShortNameMode.Disabled,
            var other => throw new RegistriesConfigException(source, key, $"\"{other}\" is not one of \"enforcing\", \"permissive\", \"disabled\""),
        };

    private static void ParseAliases(RegistriesFile file, object? value)
    {
        var source = file.Source;
        foreach (var (name, aliasValue) in TomlValues.Table(source, "aliases", value))
        {
            var key = $"aliases.\"{name}\"";
            var target = TomlValues.Text(source, key, aliasValue);
            var nameError = ShortNameRules.AliasNameError(name);
            if (nameError is not null)
            {
                throw new RegistriesConfigException(source, key, nameError);
            }

            // "" erases the alias an earlier file set (containers-registries.conf(5)).
            string? normalized = null;
            if (target.Length > 0)
            {
                (normalized, var valueError) = ShortNameRules.NormalizeAliasValue(target);
                if (valueError is not null)
                {
                    throw new RegistriesConfigException(source, key, valueError);
                }
            }

            file.Aliases[name] = new ShortNameAlias(name, normalized, source);
        }
    }

    /// <summary>containers/image's location clean-up: no trailing '/', no URL scheme.</summary>
    private static string Location(string source, string key, string location)
    {
        var trimmed = location.TrimEnd('/');
        if (trimmed.StartsWith("http://", StringComparison.Ordinal) || trimmed.StartsWith("https://", StringComparison.Ordinal))
        {
            throw new RegistriesConfigException(source, key,
                $"\"{location}\" has a URL scheme; write host[:port][/namespace] (set insecure = true for plain HTTP)");
        }

        return trimmed;
    }
}
