namespace CriO.Storage.Store;

/// <summary>
/// The lookup order containers/storage uses for layers, images and containers: the exact ID,
/// then a name (or another key such as a digest), then a unique ID prefix; an ambiguous prefix
/// finds nothing.
/// </summary>
internal static class RecordLookup
{
    public static T? Find<T>(IReadOnlyList<T> records, string reference, Func<T, string> id, Func<T, string, bool> matchesOtherKey)
        where T : class
    {
        if (string.IsNullOrEmpty(reference))
        {
            return null;
        }

        foreach (var record in records)
        {
            if (id(record) == reference)
            {
                return record;
            }
        }

        foreach (var record in records)
        {
            if (matchesOtherKey(record, reference))
            {
                return record;
            }
        }

        T? byPrefix = null;
        foreach (var record in records)
        {
            if (id(record).StartsWith(reference, StringComparison.Ordinal))
            {
                if (byPrefix is not null)
                {
                    return null;
                }

                byPrefix = record;
            }
        }

        return byPrefix;
    }
}
