using System.Collections;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace CriO.Storage.Metadata;

/// <summary>
/// The JSON settings that make our files read and write like containers/storage's: compact,
/// Go's escaping (<see cref="GoJsonEncoder"/>), Go's omitempty for every field containers/storage
/// tags with it, map keys sorted (<see cref="GoMapConverter{TValue}"/>), exact timestamps
/// (<see cref="GoTimestamp"/>), and unknown fields kept (each record's UnknownFields).
/// </summary>
internal static class StoreJson
{
    public static readonly JsonSerializerOptions Options = CreateOptions();

    /// <summary>The type info for a list of <typeparamref name="T"/>, one of the four record types.</summary>
    public static JsonTypeInfo<List<T>> ListOf<T>() => (JsonTypeInfo<List<T>>)Options.GetTypeInfo(typeof(List<T>));

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions
        {
            TypeInfoResolver = StoreJsonContext.Default.WithAddedModifier(ApplyOmitEmpty),
            Encoder = GoJsonEncoder.Instance,
            WriteIndented = false,
            AllowTrailingCommas = false,
            ReadCommentHandling = JsonCommentHandling.Disallow,
        };
        options.MakeReadOnly();
        return options;
    }

    // Go's omitempty leaves out false, 0, "", nil, and empty slices and maps. System.Text.Json's
    // ignore conditions know only null and default, so every field containers/storage tags
    // omitempty (all but each record's AlwaysWritten) gets this test.
    private static void ApplyOmitEmpty(JsonTypeInfo typeInfo)
    {
        var alwaysWritten =
            typeInfo.Type == typeof(LayerRecord) ? LayerRecord.AlwaysWritten
            : typeInfo.Type == typeof(ImageRecord) ? ImageRecord.AlwaysWritten
            : typeInfo.Type == typeof(ContainerRecord) ? ContainerRecord.AlwaysWritten
            : typeInfo.Type == typeof(MountPointRecord) ? MountPointRecord.AlwaysWritten
            : null;
        if (alwaysWritten is null)
        {
            return;
        }

        foreach (var property in typeInfo.Properties)
        {
            if (!alwaysWritten.Contains(property.Name))
            {
                property.ShouldSerialize = static (_, value) => !IsEmpty(value);
            }
        }
    }

    private static bool IsEmpty(object? value) => value switch
    {
        null => true,
        string text => text.Length == 0,
        ICollection collection => collection.Count == 0,
        long number => number == 0,
        int number => number == 0,
        CompressionType compression => compression == CompressionType.Uncompressed,
        bool flag => !flag,
        _ => false,
    };
}
