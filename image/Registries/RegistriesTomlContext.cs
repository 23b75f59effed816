using Tomlyn.Model;
using Tomlyn.Serialization;

namespace CriO.Image.Registries;

/// <summary>
/// Source-generated TOML metadata: crio is published NativeAOT, where Tomlyn's reflection-based
/// deserialization is unavailable. registries.conf is read as a plain table and checked by hand.
/// </summary>
[TomlSerializable(typeof(TomlTable))]
internal sealed partial class RegistriesTomlContext : TomlSerializerContext;
