using Tomlyn.Model;
using Tomlyn.Serialization;

namespace CriO.Server.Config;

/// <summary>
/// Source-generated TOML metadata: crio is published NativeAOT, where Tomlyn's reflection-based
/// deserialization is unavailable.
/// </summary>
[TomlSerializable(typeof(TomlTable))]
internal sealed partial class ConfigTomlContext : TomlSerializerContext;
