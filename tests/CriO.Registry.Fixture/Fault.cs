namespace CriO.Registry.Fixture;

/// <summary>One injected fault and the requests it applies to.</summary>
internal sealed class Fault(FaultType type, RegistryRequestKind kind, string? reference, int remaining = int.MaxValue, int statusCode = 500)
{
    public FaultType Type { get; } = type;

    public RegistryRequestKind Kind { get; } = kind;

    /// <summary>A tag or digest; null for every request of <see cref="Kind"/>.</summary>
    public string? Reference { get; } = reference;

    public int StatusCode { get; } = statusCode;

    /// <summary>How many more requests it applies to (a FailFirst fault counts down).</summary>
    public int Remaining { get; set; } = remaining;

    /// <summary>A fault on a manifest digest also applies when that manifest is asked for by tag.</summary>
    public bool Matches(RegistryRequestKind kind, string reference, string? resolvedDigest) =>
        Remaining > 0 && Kind == kind && (Reference is null || Reference == reference || Reference == resolvedDigest);
}

internal enum FaultType
{
    FailFirst,
    Redirect,
    WrongBytes,
    Truncate,
    Stall,
}
