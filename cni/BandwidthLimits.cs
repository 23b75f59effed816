namespace CriO.Cni;

/// <summary>
/// Traffic shaping of a pod, as the <c>bandwidth</c> capability carries it to the bandwidth
/// plugin. Rates are in bits per second, bursts in bits; 0 leaves a value unset.
/// </summary>
public sealed record BandwidthLimits(long IngressRate, long IngressBurst, long EgressRate, long EgressBurst);
