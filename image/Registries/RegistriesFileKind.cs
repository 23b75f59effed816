namespace CriO.Image.Registries;

/// <summary>Which role a file plays; the roles accept different subsets of the format.</summary>
internal enum RegistriesFileKind
{
    /// <summary>/etc/containers/registries.conf: v2, or the deprecated v1 format.</summary>
    Main,

    /// <summary>registries.conf.d/*.conf: v2 only, as containers/image requires.</summary>
    DropIn,

    /// <summary>short-name-aliases.conf, the machine-written alias cache: only [aliases] is read.</summary>
    AliasesOnly,
}
