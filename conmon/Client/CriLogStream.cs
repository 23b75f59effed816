namespace CriO.Conmon.Client;

/// <summary>The container stream a CRI log line came from.</summary>
public enum CriLogStream
{
    /// <summary>stdout.</summary>
    Stdout,

    /// <summary>stderr.</summary>
    Stderr,
}
