namespace CriO.Cni;

/// <summary>
/// Whether pod networking can work now: a valid configuration is present (the default network,
/// or the first by file name) and every plugin it names is installed. This is what the
/// kubelet's NetworkReady condition reports.
/// </summary>
public sealed record NetworkReadiness(bool Ready, string Reason, string Message, NetworkConfigList? Network)
{
    public const string NotReadyReason = "NetworkPluginNotReady";

    public static NetworkReadiness Check(string networkDirectory, IReadOnlyList<string> pluginDirectories, string defaultNetwork)
    {
        var (networks, problems) = NetworkConfigLoader.LoadAll(networkDirectory);
        var chosen = string.IsNullOrEmpty(defaultNetwork)
            ? networks.FirstOrDefault()
            : networks.FirstOrDefault(n => n.Name == defaultNetwork);
        if (chosen is null)
        {
            var wanted = string.IsNullOrEmpty(defaultNetwork) ? "no CNI configuration file" : $"no CNI network named \"{defaultNetwork}\"";
            var detail = problems.Count > 0 ? $" (skipped: {string.Join("; ", problems)})" : "";
            return NotReady($"Network plugin returns error: {wanted} in {networkDirectory}{detail}. Has your network provider started?");
        }

        var missing = chosen.PluginTypes.Where(t => PluginLocator.Find(t, pluginDirectories) is null).ToList();
        if (missing.Count > 0)
        {
            return NotReady($"Network plugin returns error: network \"{chosen.Name}\" ({chosen.Path}) needs CNI plugins not found in {string.Join(", ", pluginDirectories)}: {string.Join(", ", missing)}");
        }

        return new NetworkReadiness(true, "", "", chosen);
    }

    private static NetworkReadiness NotReady(string message) => new(false, NotReadyReason, message, null);
}
