using System.Globalization;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace CriO.Server.Play;

/// <summary>
/// YAML documents as JSON trees, the way kubectl reads a manifest (YAML to JSON, then the API
/// types from JSON): plain scalars that read as null, booleans or numbers become those, quoted
/// ones stay strings. The JSON is then bound to KubernetesClient's models with a
/// source-generated serializer, which the trimmed NativeAOT crio needs (KubernetesClient.Aot has
/// no public YAML reader for its models).
/// </summary>
public static class YamlJson
{
    /// <summary>Every document of <paramref name="yaml"/>, empty documents left out.</summary>
    public static IReadOnlyList<JsonNode> ReadDocuments(string yaml)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            throw new ManifestException($"not valid YAML at line {e.Start.Line}, column {e.Start.Column}: {e.Message}", e);
        }

        return [.. stream.Documents.Select(d => ToJson(d.RootNode)).OfType<JsonNode>()];
    }

    private static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode mapping => ToObject(mapping),
        YamlSequenceNode sequence => new JsonArray([.. sequence.Children.Select(ToJson)]),
        YamlScalarNode scalar => ToValue(scalar),
        _ => throw new ManifestException($"unsupported YAML node at line {node.Start.Line}"),
    };

    private static JsonObject ToObject(YamlMappingNode mapping)
    {
        var result = new JsonObject();
        foreach (var (key, value) in mapping.Children)
        {
            if (key is not YamlScalarNode { Value: { } name })
            {
                throw new ManifestException($"a mapping key at line {key.Start.Line} is not a plain string");
            }

            if (!result.TryAdd(name, ToJson(value)))
            {
                throw new ManifestException($"key \"{name}\" appears twice in one mapping (line {key.Start.Line})");
            }
        }

        return result;
    }

    // YAML 1.2 core schema resolution of plain scalars, which is what Kubernetes' YAML reader applies.
    private static JsonNode? ToValue(YamlScalarNode scalar)
    {
        var text = scalar.Value ?? "";
        if (scalar.Style is not ScalarStyle.Plain)
        {
            return JsonValue.Create(text);
        }

        if (text is "" or "~" or "null" or "Null" or "NULL")
        {
            return null;
        }

        if (text is "true" or "True" or "TRUE" or "false" or "False" or "FALSE")
        {
            return JsonValue.Create(text.Length == 4);
        }

        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
        {
            return JsonValue.Create(integer);
        }

        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var real) && text.Any(char.IsDigit) && !double.IsInfinity(real))
        {
            return JsonValue.Create(real);
        }

        return JsonValue.Create(text);
    }
}
