namespace CriO.Image.Registries;

internal static partial class RegistriesFileParser
{
    /// <summary>
    /// The deprecated v1 format: <c>[registries.search]</c>, <c>[registries.insecure]</c> and
    /// <c>[registries.block]</c>, each with a <c>registries</c> list of hosts. Converted as
    /// containers/image converts it: the search list becomes unqualified-search-registries, and
    /// each listed host becomes a [[registry]] table with prefix = location = host.
    /// </summary>
    private static void ParseV1(RegistriesFile file, object? value, List<RegistryEntry> drafts)
    {
        var source = file.Source;
        var registries = TomlValues.Table(source, V1Table, value);
        List<string> block = [], insecure = [];
        foreach (var (name, listValue) in registries)
        {
            var key = $"{V1Table}.{name}";
            var list = name is "search" or "insecure" or "block" ? TomlValues.Table(source, key, listValue) : null;
            if (list is null)
            {
                file.Warnings.Add($"{source}: {key}: unknown key, ignored");
                continue;
            }

            foreach (var (listKey, entries) in list)
            {
                var entriesKey = $"{key}.{listKey}";
                if (listKey != "registries")
                {
                    file.Warnings.Add($"{source}: {entriesKey}: unknown key, ignored");
                }
                else if (name == "search")
                {
                    file.UnqualifiedSearchRegistries = SearchRegistries(source, entriesKey, entries);
                }
                else
                {
                    (name == "block" ? block : insecure).AddRange(TomlValues.Strings(source, entriesKey, entries));
                }
            }
        }

        // One v2 table per host, blocked ones first, in the file's order (containers/image's conversion).
        var byLocation = new Dictionary<string, (bool Insecure, bool Blocked)>(StringComparer.Ordinal);
        var order = new List<string>();
        foreach (var (host, isBlock) in block.Select(h => (h, true)).Concat(insecure.Select(h => (h, false))))
        {
            var location = Location(source, isBlock ? "registries.block.registries" : "registries.insecure.registries", host);
            if (!byLocation.TryGetValue(location, out var flags))
            {
                order.Add(location);
            }

            byLocation[location] = isBlock ? (flags.Insecure, true) : (true, flags.Blocked);
        }

        foreach (var location in order)
        {
            if (location.Length == 0)
            {
                throw new RegistriesConfigException(source, "registries", "a v1 registries list has an empty entry");
            }

            var (isInsecure, isBlocked) = byLocation[location];
            drafts.Add(new RegistryEntry(location, location, isInsecure, isBlocked, mirrorByDigestOnly: false, [], source, drafts.Count));
        }
    }
}
