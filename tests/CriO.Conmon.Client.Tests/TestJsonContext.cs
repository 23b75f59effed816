using System.Text.Json.Serialization;

namespace CriO.Conmon.Client.Tests;

/// <summary>JSON for the literal config.json's few inserted values.</summary>
[JsonSerializable(typeof(IReadOnlyList<string>))]
[JsonSerializable(typeof(string))]
internal sealed partial class TestJsonContext : JsonSerializerContext;
