namespace CriO.Cni;

/// <summary>
/// A pod cannot be attached because no usable network is configured (no configuration, or its
/// plugins are missing); the message is the one Status reports, so the operator sees one story.
/// </summary>
public sealed class NetworkNotReadyException(NetworkReadiness readiness)
    : InvalidOperationException(readiness?.Message)
{
    /// <summary>The readiness that refused the attachment.</summary>
    public NetworkReadiness Readiness { get; } = readiness ?? throw new ArgumentNullException(nameof(readiness));
}
