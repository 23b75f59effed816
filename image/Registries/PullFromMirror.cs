namespace CriO.Image.Registries;

/// <summary>A mirror's <c>pull-from-mirror</c>: which references it may serve.</summary>
public enum PullFromMirror
{
    /// <summary>"all" (or unset): references by tag and by digest.</summary>
    All,

    /// <summary>"digest-only": a tag can move, so only a digest guarantees the mirror serves the same image.</summary>
    DigestOnly,

    /// <summary>"tag-only": for a mirror kept fresh for tags, not worth asking for digests.</summary>
    TagOnly,
}
