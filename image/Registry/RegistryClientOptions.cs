namespace CriO.Image.Registry;

/// <summary>How persistent a registry client is: bounded retries with backoff, and the stall guard.</summary>
public sealed record RegistryClientOptions
{
    /// <summary>Attempts per request for 5xx, 429, resets and refused connections (the first included).</summary>
    public int MaxAttempts { get; init; } = 4;

    /// <summary>The first backoff; each retry doubles it, up to <see cref="MaxBackoff"/>.</summary>
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromMilliseconds(200);

    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>image_pull_progress_timeout: fail a body that delivers nothing this long (zero: never).</summary>
    public TimeSpan ProgressTimeout { get; init; } = TimeSpan.Zero;

    /// <summary>How long to wait for a registry's answer headers (bodies have the progress guard instead).</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromMinutes(2);
}
